/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "drivers/qemu/qemu-caps.h"
#include "util/error.h"
#include "util/file.h"

static void
qemu_machine_free(gpointer p)
{
    QemuMachine *m = p;

    g_free(m->name);
    g_free(m->alias);
    g_free(m);
}

void
qemu_caps_free(QemuCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->binary);
    g_free(caps->arch);
    if (caps->machines)
        g_ptr_array_unref(caps->machines);
    g_free(caps);
}

GPtrArray *
qemu_caps_find_binaries(void)
{
    const char *env = g_getenv("MODVIRT_QEMU_PATH");
    g_auto(GStrv) dirs = g_strsplit(env && *env ? env : "/usr/local/bin:/usr/bin:/bin", ":", -1);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *bins = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; dirs[i]; i++) {
        GDir *dir = g_dir_open(dirs[i], 0, NULL);
        const char *name;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

        if (!dir)
            continue;
        while ((name = g_dir_read_name(dir))) {
            if (g_str_has_prefix(name, "qemu-system-"))
                g_ptr_array_add(names, g_strdup(name));
        }
        g_dir_close(dir);
        g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
        for (guint j = 0; j < names->len; j++) {
            const char *n = g_ptr_array_index(names, j);
            g_autofree char *path = g_build_filename(dirs[i], n, NULL);

            if (g_hash_table_contains(seen, n) || access(path, X_OK) != 0)
                continue;
            g_hash_table_add(seen, g_strdup(n));
            g_ptr_array_add(bins, g_steal_pointer(&path));
        }
    }
    return bins;
}

static char *
qemu_caps_arch_from_binary(const char *binary)
{
    g_autofree char *base = g_path_get_basename(binary);
    const char *arch = base + strlen("qemu-system-");

    if (!g_str_has_prefix(base, "qemu-system-"))
        return g_strdup("x86_64");
    if (g_str_equal(arch, "i386"))
        return g_strdup("i686");
    return g_strdup(arch);
}

static gboolean
qemu_caps_run(const char *binary, const char *arg1, const char *arg2, char **ret_out,
              GError **error)
{
    const char *argv[] = { binary, arg1, arg2, NULL };
    g_autofree char *err = NULL;
    g_autoptr(GError) local = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, ret_out, &err,
                      &status, &local) ||
        !g_spawn_check_wait_status(status, &local)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR, "cannot run '%s %s': %s",
                     binary, arg1, local->message);
        return FALSE;
    }
    return TRUE;
}

static QemuCaps *
qemu_caps_probe(const char *binary, GError **error)
{
    g_autoptr(QemuCaps) caps = g_new0(QemuCaps, 1);
    g_autofree char *version = NULL;
    g_autofree char *machines = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned int maj = 0, min = 0, mic = 0;
    const char *p;

    caps->binary = g_strdup(binary);
    caps->arch = qemu_caps_arch_from_binary(binary);
    caps->machines = g_ptr_array_new_with_free_func(qemu_machine_free);
    if (!qemu_caps_run(binary, "--version", NULL, &version, error))
        return NULL;
    p = strstr(version, "version ");
    if (!p || sscanf(p, "version %u.%u.%u", &maj, &min, &mic) < 2) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "cannot parse the version of '%s': %s", binary, version);
        return NULL;
    }
    caps->version = maj * 1000000ULL + min * 1000ULL + mic;
    if (!qemu_caps_run(binary, "-machine", "help", &machines, error))
        return NULL;
    lines = g_strsplit(machines, "\n", -1);
    for (size_t i = 1; lines[i]; i++) {
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " ", 2);
        QemuMachine *m;
        const char *desc;

        if (!words[0] || !*words[0] || g_str_equal(words[0], "none"))
            continue;
        desc = words[1] ? g_strstrip(words[1]) : "";
        m = g_new0(QemuMachine, 1);
        m->name = g_strdup(words[0]);
        m->max_cpus = 255;
        m->deprecated = strstr(desc, "deprecated") != NULL;
        /* "pc   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)" */
        if ((p = strstr(desc, "(alias of "))) {
            char *end;

            m->alias = g_strdup(p + strlen("(alias of "));
            if ((end = strchr(m->alias, ')')))
                *end = '\0';
        }
        g_ptr_array_add(caps->machines, m);
    }
    caps->kvm = access("/dev/kvm", R_OK | W_OK) == 0;
    return g_steal_pointer(&caps);
}

static char *
qemu_caps_identity(const char *binary)
{
    struct stat st;

    if (stat(binary, &st) < 0)
        return NULL;
    return g_strdup_printf("%s:%lld:%lld:%llu", binary, (long long)st.st_size,
                           (long long)st.st_mtime, (unsigned long long)st.st_ino);
}

static QemuCaps *
qemu_caps_load(const char *path, const char *identity)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(QemuCaps) caps = g_new0(QemuCaps, 1);
    g_autofree char *id = NULL;
    g_auto(GStrv) names = NULL;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return NULL;
    id = g_key_file_get_string(kf, "qemu", "identity", NULL);
    if (g_strcmp0(id, identity) != 0)
        return NULL;
    caps->binary = g_key_file_get_string(kf, "qemu", "binary", NULL);
    caps->arch = g_key_file_get_string(kf, "qemu", "arch", NULL);
    caps->version = g_key_file_get_uint64(kf, "qemu", "version", NULL);
    caps->machines = g_ptr_array_new_with_free_func(qemu_machine_free);
    names = g_key_file_get_string_list(kf, "qemu", "machines", NULL, NULL);
    for (size_t i = 0; names && names[i]; i++) {
        g_auto(GStrv) f = g_strsplit(names[i], "|", 3);
        QemuMachine *m;

        if (g_strv_length(f) < 3)
            return NULL;
        m = g_new0(QemuMachine, 1);
        m->name = g_strdup(f[0]);
        m->alias = *f[1] ? g_strdup(f[1]) : NULL;
        m->max_cpus = 255;
        m->deprecated = g_str_equal(f[2], "1");
        g_ptr_array_add(caps->machines, m);
    }
    if (!caps->binary || !caps->arch)
        return NULL;
    caps->kvm = access("/dev/kvm", R_OK | W_OK) == 0;
    return g_steal_pointer(&caps);
}

static void
qemu_caps_save(const QemuCaps *caps, const char *path, const char *identity)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *data = NULL;
    g_autofree char *dir = g_path_get_dirname(path);
    gsize len;

    g_key_file_set_string(kf, "qemu", "identity", identity);
    g_key_file_set_string(kf, "qemu", "binary", caps->binary);
    g_key_file_set_string(kf, "qemu", "arch", caps->arch);
    g_key_file_set_uint64(kf, "qemu", "version", caps->version);
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMachine *m = g_ptr_array_index(caps->machines, i);

        g_ptr_array_add(list, g_strdup_printf("%s|%s|%d", m->name, m->alias ? m->alias : "",
                                              m->deprecated));
    }
    g_key_file_set_string_list(kf, "qemu", "machines", (const char *const *)list->pdata,
                               list->len);
    data = g_key_file_to_data(kf, &len, NULL);
    if (!mv_file_mkdir(dir, 0755, &error) ||
        !mv_file_write_atomic(path, data, len, 0644, &error))
        g_warning("cannot cache QEMU capabilities in '%s': %s", path, error->message);
}

QemuCaps *
qemu_caps_get(const char *binary, const char *cache_dir, GError **error)
{
    g_autofree char *identity = qemu_caps_identity(binary);
    g_autofree char *base = g_path_get_basename(binary);
    g_autofree char *file = g_strdup_printf("%s.caps", base);
    g_autofree char *path = g_build_filename(cache_dir, "qemu", "capabilities", file, NULL);
    QemuCaps *caps;

    if (!identity) {
        mv_error_set_errno(error, errno, "cannot access '%s'", binary);
        return NULL;
    }
    if ((caps = qemu_caps_load(path, identity)))
        return caps;
    if (!(caps = qemu_caps_probe(binary, error)))
        return NULL;
    qemu_caps_save(caps, path, identity);
    return caps;
}

void
qemu_caps_fill_guest(const QemuCaps *qcaps, Caps *caps)
{
    guint wordsize = g_str_equal(qcaps->arch, "i686") || g_str_equal(qcaps->arch, "arm") ? 32
                                                                                         : 64;
    CapsGuest *g = caps_add_guest(caps, "hvm", qcaps->arch, wordsize, qcaps->binary);

    for (guint i = 0; i < qcaps->machines->len; i++) {
        const QemuMachine *m = g_ptr_array_index(qcaps->machines, i);

        /* An alias ("pc") names its canonical machine ("pc-i440fx-7.2"). */
        caps_guest_add_machine(g, m->name, m->alias, m->max_cpus);
    }
    g->has_tcg = TRUE;
    g->has_kvm = qcaps->kvm;
}
