/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-backend-dir.c: pools that are a directory (dir), or a file system
 * on a device mounted on a directory (fs).  Their volumes are the files in
 * the directory (storage-file.c).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/storage/storage-backend.h"
#include "drivers/storage/storage-file.h"
#include "util/error.h"
#include "util/macros.h"

#define DIR_DEFAULT_MODE 0711

/* ---- directories ----------------------------------------------------------- */

static gboolean
dir_build_target(StorageBackendPool *pool, GError **error)
{
    const StoragePoolDef *def = pool->def;
    const StoragePerms *perms = &def->target.perms;
    mode_t mode = perms->mode >= 0 ? (mode_t)perms->mode : DIR_DEFAULT_MODE;
    g_autofree char *parent = g_path_get_dirname(def->target.path);

    if (g_mkdir_with_parents(parent, 0755) < 0) {
        mv_error_set_errno(error, errno, "cannot create path '%s'", parent);
        return FALSE;
    }
    if (mkdir(def->target.path, mode) < 0 && errno != EEXIST) {
        mv_error_set_errno(error, errno, "cannot create path '%s'", def->target.path);
        return FALSE;
    }
    if (chmod(def->target.path, mode) < 0 ||
        ((perms->uid >= 0 || perms->gid >= 0) &&
         chown(def->target.path, perms->uid >= 0 ? (uid_t)perms->uid : (uid_t)-1,
               perms->gid >= 0 ? (gid_t)perms->gid : (gid_t)-1) < 0)) {
        mv_error_set_errno(error, errno, "cannot set the permissions of '%s'",
                           def->target.path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
dir_check_build_flags(unsigned int flags, GError **error)
{
    if (flags & ~(STORAGE_POOL_BUILD_OVERWRITE | STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function storagePoolBuild",
                     flags & ~(STORAGE_POOL_BUILD_OVERWRITE | STORAGE_POOL_BUILD_NO_OVERWRITE));
        return FALSE;
    }
    if ((flags & STORAGE_POOL_BUILD_OVERWRITE) && (flags & STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "Flags 'overwrite' and 'no-overwrite' are mutually exclusive");
        return FALSE;
    }
    return TRUE;
}

static gboolean
dir_build(StorageBackendPool *pool, unsigned int flags, GError **error)
{
    return dir_check_build_flags(flags, error) && dir_build_target(pool, error);
}

static gboolean
dir_check_target(StorageBackendPool *pool, GError **error)
{
    struct stat st;

    if (stat(pool->def->target.path, &st) < 0) {
        mv_error_set_errno(error, errno, "cannot open directory '%s'", pool->def->target.path);
        return FALSE;
    }
    if (!S_ISDIR(st.st_mode)) {
        mv_error_set_errno(error, ENOTDIR, "cannot open directory '%s'",
                           pool->def->target.path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
dir_check(StorageBackendPool *pool, gboolean *ret_active, GError **error)
{
    *ret_active = dir_check_target(pool, NULL);
    return TRUE;
}

static gboolean
dir_start(StorageBackendPool *pool, GError **error)
{
    return dir_check_target(pool, error);
}

static gboolean
dir_delete(StorageBackendPool *pool, unsigned int flags, GError **error)
{
    if (flags != 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function storagePoolDelete", flags);
        return FALSE;
    }
    if (rmdir(pool->def->target.path) < 0 && errno != ENOENT) {
        mv_error_set_errno(error, errno, "failed to remove pool '%s'", pool->def->target.path);
        return FALSE;
    }
    return TRUE;
}

static StorageRefreshResult *
dir_refresh(StorageBackendPool *pool, GError **error)
{
    const char *path = pool->def->target.path;
    g_autoptr(StorageRefreshResult) res = storage_refresh_result_new();
    DIR *dir = opendir(path);
    struct dirent *ent;
    struct stat st;

    if (!dir) {
        mv_error_set_errno(error, errno, "cannot open directory '%s'", path);
        return NULL;
    }
    if (fstat(dirfd(dir), &st) == 0) {
        res->target_perms.mode = st.st_mode & 0777;
        res->target_perms.uid = st.st_uid;
        res->target_perms.gid = st.st_gid;
    }
    while ((errno = 0, ent = readdir(dir))) {
        StorageVolDef *vol;

        if (g_str_equal(ent->d_name, ".") || g_str_equal(ent->d_name, "..") ||
            g_str_has_prefix(ent->d_name, STORAGE_FILE_TEMP_PREFIX))
            continue;
        if (!storage_deadline_check(pool->deadline, "the refresh ran out of time", error)) {
            closedir(dir);
            return NULL;
        }
        vol = storage_file_probe(dirfd(dir), path, ent->d_name, error);
        if (!vol && error && *error) {
            closedir(dir);
            return NULL;
        }
        if (vol)
            g_ptr_array_add(res->vols, vol);
    }
    if (errno != 0) {
        mv_error_set_errno(error, errno, "cannot read directory '%s'", path);
        closedir(dir);
        return NULL;
    }
    closedir(dir);
    if (!storage_file_pool_sizes(path, &res->capacity, &res->allocation, &res->available,
                                 error))
        return NULL;
    return g_steal_pointer(&res);
}

const StorageBackend storage_backend_dir = {
    .type = STORAGE_POOL_DIR,
    .check = dir_check,
    .build = dir_build,
    .start = dir_start,
    .delete_pool = dir_delete,
    .refresh = dir_refresh,
    .create_vol = storage_file_create_vol,
    .clone_vol = storage_file_clone_vol,
    .delete_vol = storage_file_delete_vol,
    .resize_vol = storage_file_resize_vol,
    .wipe_vol = storage_file_wipe_vol,
    .refresh_vol = storage_file_refresh_vol,
    .open_vol = storage_file_open_vol,
};

/* ---- file systems ----------------------------------------------------------- */

static const char *
fs_device(const StoragePoolDef *def)
{
    const StoragePoolSourceDevice *dev;

    if (def->source.devices->len == 0)
        return NULL;
    dev = g_ptr_array_index(def->source.devices, 0);
    return dev->path;
}

/* The file system type to pass to mount/mkfs, NULL for "auto". */
static const char *
fs_type(const StoragePoolDef *def)
{
    if (def->source.format <= STORAGE_POOL_FS_AUTO)
        return NULL;
    return storage_pool_fs_format_to_string(def->source.format);
}

/* Undo the octal escapes of /proc/self/mountinfo ("\040" for a space). */
static char *
fs_unescape(const char *s)
{
    GString *out = g_string_new(NULL);

    for (const char *p = s; *p; p++) {
        if (p[0] == '\\' && g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]) &&
            g_ascii_isdigit(p[3])) {
            g_string_append_c(out, (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) |
                                          (p[3] - '0')));
            p += 3;
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

/* Is something mounted on @target? */
static gboolean
fs_is_mounted(const char *target, gboolean *ret_mounted, GError **error)
{
    g_autofree char *text = NULL;
    g_autofree char *real = realpath(target, NULL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) err = NULL;

    *ret_mounted = FALSE;
    if (!real)
        return TRUE;
    if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, &err)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "cannot read the mount table: %s", err->message);
        return FALSE;
    }
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        g_auto(GStrv) fields = g_strsplit(lines[i], " ", 6);
        g_autofree char *point = NULL;

        if (g_strv_length(fields) < 5)
            continue;
        point = fs_unescape(fields[4]);
        if (g_str_equal(point, real))
            *ret_mounted = TRUE;
    }
    return TRUE;
}

static gboolean
fs_check_device(const StoragePoolDef *def, GError **error)
{
    const char *dev = fs_device(def);

    if (!dev) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "missing source device for pool '%s'", def->name);
        return FALSE;
    }
    if (g_access(dev, F_OK) < 0) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INVALID_ARG,
                     "Source device does not exist when formatting pool '%s': %s", def->name,
                     dev);
        return FALSE;
    }
    return TRUE;
}

/* mkfs, refusing to overwrite a file system unless told to. */
static gboolean
fs_make_filesystem(StorageBackendPool *pool, unsigned int flags, GError **error)
{
    const StoragePoolDef *def = pool->def;
    const char *dev = fs_device(def);
    const char *type = fs_type(def) ? fs_type(def) : "ext4";
    const char *probe[] = { "blkid", "-p", "-o", "value", "-s", "TYPE", dev, NULL };
    g_autofree char *found = NULL;
    int status = 0;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    if (!fs_check_device(def, error))
        return FALSE;
    if ((flags & STORAGE_POOL_BUILD_NO_OVERWRITE) &&
        storage_command_run(probe, NULL, pool->deadline, &found, NULL, &status, NULL) &&
        status == 0 && *g_strstrip(found)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_POOL_BUILT,
                     "Device '%s' already formatted using '%s'", dev, found);
        return FALSE;
    }
    g_ptr_array_add(argv, (char *)"mkfs");
    g_ptr_array_add(argv, (char *)"-t");
    g_ptr_array_add(argv, (char *)type);
    if (g_str_has_prefix(type, "ext"))
        g_ptr_array_add(argv, (char *)"-F");
    else if (g_str_equal(type, "xfs") || g_str_equal(type, "btrfs"))
        g_ptr_array_add(argv, (char *)"-f");
    g_ptr_array_add(argv, (char *)dev);
    g_ptr_array_add(argv, NULL);
    return storage_command_run((const char *const *)argv->pdata, NULL, pool->deadline, NULL,
                               NULL, NULL, error);
}

static gboolean
fs_build(StorageBackendPool *pool, unsigned int flags, GError **error)
{
    if (!dir_check_build_flags(flags, error) || !dir_build_target(pool, error))
        return FALSE;
    if (flags & (STORAGE_POOL_BUILD_OVERWRITE | STORAGE_POOL_BUILD_NO_OVERWRITE))
        return fs_make_filesystem(pool, flags, error);
    return TRUE;
}

static gboolean
fs_check(StorageBackendPool *pool, gboolean *ret_active, GError **error)
{
    return fs_is_mounted(pool->def->target.path, ret_active, error);
}

static gboolean
fs_start(StorageBackendPool *pool, GError **error)
{
    const StoragePoolDef *def = pool->def;
    const char *type = fs_type(def);
    const char *argv[] = { "mount", "-o", "nodev,nosuid,noexec", NULL, NULL, NULL, NULL, NULL };
    gboolean mounted;
    int n = 3;

    if (!dir_check_target(pool, error) || !fs_check_device(def, error) ||
        !fs_is_mounted(def->target.path, &mounted, error))
        return FALSE;
    if (mounted)
        return TRUE;
    if (type) {
        argv[n++] = "-t";
        argv[n++] = type;
    }
    argv[n++] = fs_device(def);
    argv[n++] = def->target.path;
    return storage_command_run(argv, NULL, pool->deadline, NULL, NULL, NULL, error);
}

static gboolean
fs_stop(StorageBackendPool *pool, GError **error)
{
    const char *argv[] = { "umount", pool->def->target.path, NULL };
    gboolean mounted;

    if (!fs_is_mounted(pool->def->target.path, &mounted, error))
        return FALSE;
    if (!mounted)
        return TRUE;
    return storage_command_run(argv, NULL, pool->deadline, NULL, NULL, NULL, error);
}

const StorageBackend storage_backend_fs = {
    .type = STORAGE_POOL_FS,
    .check = fs_check,
    .build = fs_build,
    .start = fs_start,
    .stop = fs_stop,
    .delete_pool = dir_delete,
    .refresh = dir_refresh,
    .create_vol = storage_file_create_vol,
    .clone_vol = storage_file_clone_vol,
    .delete_vol = storage_file_delete_vol,
    .resize_vol = storage_file_resize_vol,
    .wipe_vol = storage_file_wipe_vol,
    .refresh_vol = storage_file_refresh_vol,
    .open_vol = storage_file_open_vol,
};
