/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-backend-logical.c: LVM volume groups as pools, their logical
 * volumes as volumes, through the lvm2 tools.
 *
 * Every LVM command of a pool with source devices is told to look at those
 * devices only (--devices): it neither scans nor touches the host's other
 * disks, and pools of other tests or users never get in its way.  Source
 * discovery (find-storage-pool-sources) is the exception: it lists what
 * the whole host has, as libvirt's does.
 *
 * Logical volumes need the kernel's device-mapper.  Without it (this
 * project's CI kernel) a volume group can be built, started, listed and
 * deleted, and creating a volume fails up front saying so.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/storage/storage-backend.h"
#include "drivers/storage/storage-file.h"
#include "util/error.h"

#define LVM_SEP ":"

static const char *
lvm_vg(const StoragePoolDef *def)
{
    return def->source.name ? def->source.name : def->name;
}

/* "lvm-command ... --devices a,b": a new argv (NULL-terminated). */
static GPtrArray *
lvm_argv(const StoragePoolDef *def, const char *cmd)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);

    g_ptr_array_add(argv, g_strdup(cmd));
    if (def->source.devices->len > 0) {
        g_autoptr(GString) list = g_string_new(NULL);

        for (guint i = 0; i < def->source.devices->len; i++) {
            const StoragePoolSourceDevice *dev = g_ptr_array_index(def->source.devices, i);

            g_string_append_printf(list, "%s%s", i ? "," : "", dev->path);
        }
        g_ptr_array_add(argv, g_strdup("--devices"));
        g_ptr_array_add(argv, g_string_free(g_steal_pointer(&list), FALSE));
    }
    return argv;
}

static void
lvm_add(GPtrArray *argv, const char *arg)
{
    g_ptr_array_add(argv, g_strdup(arg));
}

static gboolean
lvm_run(StorageBackendPool *pool, GPtrArray *argv, char **ret_out, GError **error)
{
    g_ptr_array_add(argv, NULL);
    return storage_command_run((const char *const *)argv->pdata, NULL, pool->deadline, ret_out,
                               NULL, NULL, error);
}

static gboolean
lvm_have_device_mapper(void)
{
    g_autofree char *misc = NULL;

    if (g_file_test("/sys/class/misc/device-mapper", G_FILE_TEST_EXISTS))
        return TRUE;
    return g_file_get_contents("/proc/misc", &misc, NULL, NULL) &&
           strstr(misc, " device-mapper\n") != NULL;
}

/* ---- pools -------------------------------------------------------------------- */

static gboolean
logical_check_signatures(StorageBackendPool *pool, GError **error)
{
    for (guint i = 0; i < pool->def->source.devices->len; i++) {
        const StoragePoolSourceDevice *dev = g_ptr_array_index(pool->def->source.devices, i);
        const char *argv[] = { "blkid", "-p", "-o", "value", "-s", "TYPE", dev->path, NULL };
        g_autofree char *found = NULL;
        int status = 0;

        if (storage_command_run(argv, NULL, pool->deadline, &found, NULL, &status, NULL) &&
            status == 0 && *g_strstrip(found)) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_POOL_BUILT,
                         "Device '%s' already formatted using '%s'", dev->path, found);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
logical_build(StorageBackendPool *pool, unsigned int flags, GError **error)
{
    const StoragePoolDef *def = pool->def;
    g_autoptr(GPtrArray) vg = lvm_argv(def, "vgcreate");

    if (flags & ~(STORAGE_POOL_BUILD_OVERWRITE | STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function storagePoolBuild", flags);
        return FALSE;
    }
    if (def->source.devices->len == 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "cannot build logical pool '%s' without source devices", def->name);
        return FALSE;
    }
    if ((flags & STORAGE_POOL_BUILD_NO_OVERWRITE) && !logical_check_signatures(pool, error))
        return FALSE;
    for (guint i = 0; i < def->source.devices->len; i++) {
        const StoragePoolSourceDevice *dev = g_ptr_array_index(def->source.devices, i);
        g_autoptr(GPtrArray) pv = lvm_argv(def, "pvcreate");

        if (flags & STORAGE_POOL_BUILD_OVERWRITE) {
            lvm_add(pv, "-ff");
            lvm_add(pv, "-y");
        }
        lvm_add(pv, dev->path);
        if (!lvm_run(pool, pv, NULL, error))
            return FALSE;
    }
    lvm_add(vg, lvm_vg(def));
    for (guint i = 0; i < def->source.devices->len; i++)
        lvm_add(vg, ((StoragePoolSourceDevice *)g_ptr_array_index(def->source.devices, i))->path);
    return lvm_run(pool, vg, NULL, error);
}

static gboolean
logical_check(StorageBackendPool *pool, gboolean *ret_active, GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "vgs");
    int status = 1;

    lvm_add(argv, lvm_vg(pool->def));
    g_ptr_array_add(argv, NULL);
    if (!storage_command_run((const char *const *)argv->pdata, NULL, pool->deadline, NULL, NULL,
                             &status, error))
        return FALSE;
    *ret_active = status == 0;
    return TRUE;
}

static gboolean
logical_start(StorageBackendPool *pool, GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "vgchange");

    lvm_add(argv, "-aay");
    lvm_add(argv, lvm_vg(pool->def));
    return lvm_run(pool, argv, NULL, error);
}

static gboolean
logical_stop(StorageBackendPool *pool, GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "vgchange");

    lvm_add(argv, "-aln");
    lvm_add(argv, lvm_vg(pool->def));
    return lvm_run(pool, argv, NULL, error);
}

static gboolean
logical_delete(StorageBackendPool *pool, unsigned int flags, GError **error)
{
    const StoragePoolDef *def = pool->def;
    g_autoptr(GPtrArray) vg = lvm_argv(def, "vgremove");

    if (flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function storagePoolDelete", flags);
        return FALSE;
    }
    lvm_add(vg, "-f");
    lvm_add(vg, lvm_vg(def));
    if (!lvm_run(pool, vg, NULL, error))
        return FALSE;
    for (guint i = 0; i < def->source.devices->len; i++) {
        const StoragePoolSourceDevice *dev = g_ptr_array_index(def->source.devices, i);
        g_autoptr(GPtrArray) pv = lvm_argv(def, "pvremove");

        lvm_add(pv, dev->path);
        if (!lvm_run(pool, pv, NULL, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
lvm_parse_u64(const char *s, guint64 *ret)
{
    return g_ascii_string_to_unsigned(g_strstrip((char *)s), 10, 0, G_MAXUINT64, ret, NULL);
}

/* One line of lvs: name:uuid:size:attr. */
static StorageVolDef *
logical_parse_lv(const StoragePoolDef *def, const char *line)
{
    g_auto(GStrv) f = g_strsplit(line, LVM_SEP, 4);
    g_autoptr(StorageVolDef) vol = NULL;
    guint64 size;

    if (g_strv_length(f) < 4 || !lvm_parse_u64(f[2], &size))
        return NULL;
    vol = storage_vol_def_new();
    vol->name = g_strdup(g_strstrip(f[0]));
    vol->key = g_strdup(g_strstrip(f[1]));
    vol->type = STORAGE_VOL_BLOCK;
    vol->target.path = g_strdup_printf("/dev/%s/%s", lvm_vg(def), vol->name);
    vol->capacity = vol->allocation = size;
    return g_steal_pointer(&vol);
}

static gboolean
logical_list(StorageBackendPool *pool, const char *which, GPtrArray *vols, GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "lvs");
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    lvm_add(argv, "--noheadings");
    lvm_add(argv, "--units");
    lvm_add(argv, "b");
    lvm_add(argv, "--nosuffix");
    lvm_add(argv, "--separator");
    lvm_add(argv, LVM_SEP);
    lvm_add(argv, "-o");
    lvm_add(argv, "lv_name,lv_uuid,lv_size,lv_attr");
    lvm_add(argv, which);
    if (!lvm_run(pool, argv, &out, error))
        return FALSE;
    lines = g_strsplit(out, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        StorageVolDef *vol;

        if (!*g_strstrip(lines[i]))
            continue;
        if ((vol = logical_parse_lv(pool->def, lines[i])))
            g_ptr_array_add(vols, vol);
    }
    return TRUE;
}

static StorageRefreshResult *
logical_refresh(StorageBackendPool *pool, GError **error)
{
    g_autoptr(StorageRefreshResult) res = storage_refresh_result_new();
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "vgs");
    g_autofree char *out = NULL;
    g_auto(GStrv) f = NULL;
    guint64 size, free_bytes;

    lvm_add(argv, "--noheadings");
    lvm_add(argv, "--units");
    lvm_add(argv, "b");
    lvm_add(argv, "--nosuffix");
    lvm_add(argv, "--separator");
    lvm_add(argv, LVM_SEP);
    lvm_add(argv, "-o");
    lvm_add(argv, "vg_size,vg_free");
    lvm_add(argv, lvm_vg(pool->def));
    if (!lvm_run(pool, argv, &out, error))
        return NULL;
    f = g_strsplit(g_strstrip(out), LVM_SEP, 2);
    if (g_strv_length(f) < 2 || !lvm_parse_u64(f[0], &size) || !lvm_parse_u64(f[1], &free_bytes)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot parse the output of vgs: '%s'", out);
        return NULL;
    }
    res->capacity = size;
    res->available = free_bytes;
    res->allocation = size - free_bytes;
    if (!logical_list(pool, lvm_vg(pool->def), res->vols, error))
        return NULL;
    return g_steal_pointer(&res);
}

/* ---- volumes ------------------------------------------------------------------ */

static gboolean
logical_create_vol(StorageBackendPool *pool, StorageVolDef *vol, unsigned int flags,
                   GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "lvcreate");
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT "K",
                                            (vol->capacity + 1023) / 1024);

    if (flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "unsupported flags (0x%x) for volume creation in a logical pool", flags);
        return FALSE;
    }
    if (!lvm_have_device_mapper()) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot create volume '%s' in logical pool '%s': this kernel has no "
                     "device-mapper support (no 'device-mapper' in /proc/misc), which LVM "
                     "logical volumes need", vol->name, pool->def->name);
        return FALSE;
    }
    lvm_add(argv, "--name");
    lvm_add(argv, vol->name);
    lvm_add(argv, "-L");
    lvm_add(argv, size);
    lvm_add(argv, "--yes");
    lvm_add(argv, lvm_vg(pool->def));
    if (!lvm_run(pool, argv, NULL, error))
        return FALSE;
    vol->type = STORAGE_VOL_BLOCK;
    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("/dev/%s/%s", lvm_vg(pool->def), vol->name);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    return TRUE;
}

static gboolean
logical_delete_vol(StorageBackendPool *pool, const StorageVolDef *vol, unsigned int flags,
                   GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "lvremove");
    g_autofree char *lv = g_strdup_printf("%s/%s", lvm_vg(pool->def), vol->name);

    if (flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "unsupported flags (0x%x) for deleting a logical volume", flags);
        return FALSE;
    }
    lvm_add(argv, "-f");
    lvm_add(argv, lv);
    return lvm_run(pool, argv, NULL, error);
}

static gboolean
logical_resize_vol(StorageBackendPool *pool, const StorageVolDef *vol, guint64 capacity,
                   unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) argv = lvm_argv(pool->def, "lvresize");
    g_autofree char *lv = g_strdup_printf("%s/%s", lvm_vg(pool->def), vol->name);
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT "b", capacity);

    lvm_add(argv, "-f");
    lvm_add(argv, "-L");
    lvm_add(argv, size);
    lvm_add(argv, lv);
    return lvm_run(pool, argv, NULL, error);
}

static StorageVolDef *
logical_refresh_vol(StorageBackendPool *pool, const StorageVolDef *vol, GError **error)
{
    g_autoptr(GPtrArray) vols = g_ptr_array_new_with_free_func(
        (GDestroyNotify)storage_vol_def_free);
    g_autofree char *lv = g_strdup_printf("%s/%s", lvm_vg(pool->def), vol->name);

    if (!logical_list(pool, lv, vols, error))
        return NULL;
    if (vols->len == 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_STORAGE_VOL,
                     "no storage vol with matching name '%s'", vol->name);
        return NULL;
    }
    return g_ptr_array_steal_index(vols, 0);
}

/* find-storage-pool-sources: every volume group the host's LVM sees, with
 * its physical volumes (as in libvirt, the <source> given is not used). */
static GPtrArray *
logical_find_sources(StorageBackendPool *pool, GError **error)
{
    static const char *const argv[] = { "pvs", "--noheadings", "--separator", LVM_SEP, "-o",
                                        "pv_name,vg_name", NULL };
    g_autoptr(GPtrArray) found =
        g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_def_free);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;

    if (!storage_command_run(argv, NULL, pool->deadline, &out, NULL, NULL, error))
        return NULL;
    /* "  /dev/loop3:vg0": a physical volume in no group has no name.  A
     * device path may hold the separator, a group name may not. */
    lines = g_strsplit(out ? out : "", "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        char *sep = strrchr(line, LVM_SEP[0]);
        StoragePoolSourceDevice *dev;
        StoragePoolDef *def = NULL;

        if (!sep || sep == line || !sep[1])
            continue;
        *sep = '\0';
        for (guint j = 0; j < found->len && !def; j++) {
            StoragePoolDef *d = g_ptr_array_index(found, j);

            if (g_str_equal(d->source.name, sep + 1))
                def = d;
        }
        if (!def) {
            def = storage_pool_def_new(STORAGE_POOL_LOGICAL);
            def->source.name = g_strdup(sep + 1);
            def->source.format = STORAGE_POOL_LOGICAL_LVM2;
            g_ptr_array_add(found, def);
        }
        dev = g_new0(StoragePoolSourceDevice, 1);
        dev->path = g_strdup(line);
        dev->part_separator = STORAGE_TRISTATE_ABSENT;
        g_ptr_array_add(def->source.devices, dev);
    }
    return g_steal_pointer(&found);
}

const StorageBackend storage_backend_logical = {
    .type = STORAGE_POOL_LOGICAL,
    .check = logical_check,
    .build = logical_build,
    .start = logical_start,
    .stop = logical_stop,
    .delete_pool = logical_delete,
    .refresh = logical_refresh,
    .create_vol = logical_create_vol,
    .delete_vol = logical_delete_vol,
    .resize_vol = logical_resize_vol,
    .wipe_vol = storage_file_wipe_vol,
    .refresh_vol = logical_refresh_vol,
    .open_vol = storage_file_open_vol,
    .find_sources = logical_find_sources,
};
