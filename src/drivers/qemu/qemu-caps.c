/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps.c: QemuCaps itself, the on-disk cache keyed by the binary's and
 * the host's identity, the in-memory cache of every emulator, and the guest
 * part of <capabilities>.  Probing is in qemu-caps-probe.c, the cache file
 * format in qemu-caps-json.c.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib.h>

#include "drivers/qemu/qemu-caps-priv.h"
#include "util/error.h"
#include "util/file.h"
#include "util/macros.h"

MV_ENUM_IMPL(qemu_caps_accel, QEMU_CAPS_ACCEL_LAST, "kvm", "tcg")
MV_ENUM_IMPL(qemu_caps_cpu_mode, QEMU_CAPS_CPU_LAST,
             "host-passthrough", "maximum", "host-model")

void
qemu_machine_free(gpointer p)
{
    QemuMachine *m = p;

    g_free(m->name);
    g_free(m->alias);
    g_free(m);
}

void
qemu_cpu_model_free(gpointer p)
{
    QemuCpuModel *m = p;

    g_free(m->name);
    g_free(m->alias_of);
    g_strfreev(m->blockers);
    g_free(m);
}

QemuCaps *
qemu_caps_new(const char *binary)
{
    QemuCaps *caps = g_new0(QemuCaps, 1);

    caps->binary = g_strdup(binary);
    caps->arch = qemu_caps_arch_from_binary(binary);
    caps->machines = g_ptr_array_new_with_free_func(qemu_machine_free);
    for (int i = 0; i < QEMU_CAPS_ACCEL_LAST; i++)
        caps->accel[i].cpu_models = g_ptr_array_new_with_free_func(qemu_cpu_model_free);
    caps->devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    caps->commands = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return caps;
}

void
qemu_caps_free(QemuCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->binary);
    g_free(caps->arch);
    g_free(caps->package);
    g_free(caps->host_cpu_vendor);
    g_ptr_array_unref(caps->machines);
    for (int i = 0; i < QEMU_CAPS_ACCEL_LAST; i++) {
        g_ptr_array_unref(caps->accel[i].cpu_models);
        for (int j = 0; j < QEMU_CAPS_CPU_LAST; j++)
            g_free(caps->accel[i].cpu_config[j]);
    }
    g_hash_table_unref(caps->devices);
    g_hash_table_unref(caps->commands);
    g_free(caps->identity);
    g_free(caps->host);
    g_free(caps);
}

/* Finding binaries -------------------------------------------------------- */

/* "qemu-system-x86_64", not Debian's "qemu-system-x86_64-microvm" builds. */
static gboolean
qemu_caps_is_system_binary(const char *name)
{
    const char *target = name + strlen("qemu-system-");

    return g_str_has_prefix(name, "qemu-system-") && *target && !strchr(target, '-') &&
           !strchr(target, '.');
}

static GStrv
qemu_caps_search_dirs(void)
{
    const char *env = g_getenv("MODVIRT_QEMU_PATH");

    return g_strsplit(env && *env ? env : "/usr/local/bin:/usr/bin:/bin", ":", -1);
}

/* What changes when a binary is added to, removed from or renamed into a
 * search directory: each directory's inode and modification time. */
static char *
qemu_caps_search_dirs_identity(void)
{
    g_auto(GStrv) dirs = qemu_caps_search_dirs();
    GString *id = g_string_new(NULL);

    for (size_t i = 0; dirs[i]; i++) {
        struct stat st;

        if (stat(dirs[i], &st) < 0)
            g_string_append_printf(id, "%s:-;", dirs[i]);
        else
            g_string_append_printf(id, "%s:%llu:%lld.%09ld;", dirs[i],
                                   (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec,
                                   (long)st.st_mtim.tv_nsec);
    }
    return g_string_free(id, FALSE);
}

GPtrArray *
qemu_caps_find_binaries(void)
{
    g_auto(GStrv) dirs = qemu_caps_search_dirs();
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *bins = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; dirs[i]; i++) {
        GDir *dir = g_dir_open(dirs[i], 0, NULL);
        const char *name;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

        if (!dir)
            continue;
        while ((name = g_dir_read_name(dir))) {
            if (qemu_caps_is_system_binary(name))
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

char *
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

/* Identities --------------------------------------------------------------- */

char *
qemu_caps_binary_identity(const char *binary)
{
    struct stat st;

    if (stat(binary, &st) < 0)
        return NULL;
    return g_strdup_printf("%s:%lld:%lld.%09ld:%llu", binary, (long long)st.st_size,
                           (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
                           (unsigned long long)st.st_ino);
}

/* "model name" and "flags" of the first CPU in /proc/cpuinfo. */
static void
qemu_caps_host_cpu(GChecksum *sum)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    gboolean model = FALSE;
    gboolean flags = FALSE;

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
        return;
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i] && !(model && flags); i++) {
        if (!model && g_str_has_prefix(lines[i], "model name")) {
            g_checksum_update(sum, (const guchar *)lines[i], -1);
            model = TRUE;
        } else if (!flags && (g_str_has_prefix(lines[i], "flags") ||
                              g_str_has_prefix(lines[i], "Features"))) {
            g_checksum_update(sum, (const guchar *)lines[i], -1);
            flags = TRUE;
        }
    }
}

char *
qemu_caps_host_identity(void)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    struct utsname u;
    const char *kvm = access("/dev/kvm", R_OK | W_OK) == 0 ? "kvm" : "nokvm";

    if (uname(&u) == 0) {
        g_checksum_update(sum, (const guchar *)u.release, -1);
        g_checksum_update(sum, (const guchar *)u.machine, -1);
    }
    qemu_caps_host_cpu(sum);
    g_checksum_update(sum, (const guchar *)kvm, -1);
    return g_strdup(g_checksum_get_string(sum));
}

char *
qemu_caps_cache_file(const char *cache_dir, const char *binary)
{
    g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *file = g_strdup_printf("%s.json", hash);

    return g_build_filename(cache_dir, "qemu", "capabilities", file, NULL);
}

static QemuCaps *
qemu_caps_get_with_host(const char *binary, const char *cache_dir, const char *host,
                        QemuCapsCancel *cancel, GError **error)
{
    g_autofree char *identity = qemu_caps_binary_identity(binary);
    g_autofree char *path = qemu_caps_cache_file(cache_dir, binary);
    g_autofree char *work = g_build_filename(cache_dir, "qemu", NULL);
    g_autoptr(GError) local = NULL;
    g_autoptr(QemuCaps) caps = NULL;

    if (!identity) {
        mv_error_set_errno(error, errno, "cannot access '%s'", binary);
        return NULL;
    }
    if ((caps = qemu_caps_load_file(path, identity, host, &local)))
        return g_steal_pointer(&caps);
    if (local)
        g_debug("ignoring the cached capabilities '%s': %s", path, local->message);
    g_debug("probing '%s'", binary);
    if (!(caps = qemu_caps_probe(binary, work, cancel, error)))
        return NULL;
    caps->identity = g_steal_pointer(&identity);
    caps->host = g_strdup(host);
    g_clear_error(&local);
    if (!qemu_caps_save_file(caps, path, &local))
        g_warning("cannot cache the capabilities of '%s': %s", binary, local->message);
    return g_steal_pointer(&caps);
}

QemuCaps *
qemu_caps_get(const char *binary, const char *cache_dir, GError **error)
{
    g_autofree char *host = qemu_caps_host_identity();

    return qemu_caps_get_with_host(binary, cache_dir, host, NULL, error);
}

/* Queries ------------------------------------------------------------------ */

gboolean
qemu_caps_has_device(const QemuCaps *caps, const char *type)
{
    return g_hash_table_contains(caps->devices, type);
}

gboolean
qemu_caps_has_command(const QemuCaps *caps, const char *command)
{
    return g_hash_table_contains(caps->commands, command);
}

const QemuMachine *
qemu_caps_get_machine(const QemuCaps *caps, const char *name)
{
    for (guint i = 0; i < caps->machines->len; i++) {
        const QemuMachine *m = g_ptr_array_index(caps->machines, i);

        if (!name && m->is_default)
            return m;
        if (name && g_str_equal(m->name, name))
            return m->alias ? qemu_caps_get_machine(caps, m->alias) : m;
    }
    return NULL;
}

const QemuCpuModel *
qemu_caps_get_cpu_model(const QemuCaps *caps, QemuCapsAccel accel, const char *name)
{
    GPtrArray *models = caps->accel[accel].cpu_models;

    for (guint i = 0; i < models->len; i++) {
        const QemuCpuModel *m = g_ptr_array_index(models, i);

        if (g_str_equal(m->name, name))
            return m;
    }
    return NULL;
}

const char *
qemu_caps_cpu_config(const QemuCaps *caps, QemuCapsAccel accel, QemuCapsCpuMode mode)
{
    g_return_val_if_fail(accel < QEMU_CAPS_ACCEL_LAST && mode < QEMU_CAPS_CPU_LAST, NULL);
    return caps->accel[accel].cpu_config[mode];
}

void
qemu_caps_fill_guest(const QemuCaps *qcaps, Caps *caps)
{
    guint wordsize = g_str_equal(qcaps->arch, "i686") || g_str_equal(qcaps->arch, "arm") ? 32
                                                                                         : 64;
    CapsGuest *g = caps_add_guest(caps, "hvm", qcaps->arch, wordsize, qcaps->binary);

    for (guint i = 0; i < qcaps->machines->len; i++) {
        const QemuMachine *m = g_ptr_array_index(qcaps->machines, i);

        /* No guest can run on "none". */
        if (g_str_equal(m->name, "none"))
            continue;
        /* An alias ("pc") names its canonical machine ("pc-i440fx-7.2"). */
        caps_guest_add_machine(g, m->name, m->alias, m->max_cpus);
        ((CapsMachine *)g_ptr_array_index(g->machines, g->machines->len - 1))->deprecated =
            m->deprecated;
    }
    g->has_tcg = qcaps->accel[QEMU_CAPS_ACCEL_TCG].available;
    g->has_kvm = qcaps->kvm;
}

/* The in-memory cache of every emulator ------------------------------------ */

struct _QemuCapsCache {
    GMutex lock;                 /* guards the rest */
    GCond loaded;                /* a binary left @loading */
    GHashTable *loading;         /* binaries being loaded or probed (lock not held) */
    char *cache_dir;
    char *host;
    GHashTable *current;         /* binary -> QemuCaps (borrowed from @all) */
    GPtrArray *all;              /* every QemuCaps handed out, freed with the cache */
    GPtrArray *snapshot;         /* the last list returned by get_all */
    GPtrArray *snapshots;        /* every list handed out */
    GPtrArray *bins;             /* the binaries the last search found */
    char *bins_identity;         /* qemu_caps_search_dirs_identity() at that search */
    GThread *thread;
    QemuCapsCancel cancel;       /* cancelled when the cache goes: ends a probe */
};

QemuCapsCache *
qemu_caps_cache_new(const char *cache_dir)
{
    QemuCapsCache *cache = g_new0(QemuCapsCache, 1);

    g_mutex_init(&cache->lock);
    g_cond_init(&cache->loaded);
    cache->loading = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cache->cache_dir = g_strdup(cache_dir);
    cache->host = qemu_caps_host_identity();
    cache->current = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cache->all = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_caps_free);
    cache->snapshots = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    qemu_caps_cancel_init(&cache->cancel);
    return cache;
}

void
qemu_caps_cache_free(QemuCapsCache *cache)
{
    if (!cache)
        return;
    /* A daemon going away does not wait for a probe to end: it is
     * killed, and probed again next time. */
    qemu_caps_cancel(&cache->cancel);
    if (cache->thread)
        g_thread_join(cache->thread);
    qemu_caps_cancel_clear(&cache->cancel);
    g_hash_table_unref(cache->current);
    g_hash_table_unref(cache->loading);
    g_cond_clear(&cache->loaded);
    g_ptr_array_unref(cache->snapshots);
    g_ptr_array_unref(cache->all);
    g_clear_pointer(&cache->bins, g_ptr_array_unref);
    g_free(cache->bins_identity);
    g_free(cache->cache_dir);
    g_free(cache->host);
    g_mutex_clear(&cache->lock);
    g_free(cache);
}

/* The current capabilities of @binary, probed again if it changed.  Called
 * with the lock held, which is let go while the binary is loaded or probed
 * (callers wanting another binary need not wait for that one); callers
 * wanting the same binary wait for the one loading it. */
static QemuCaps *
qemu_caps_cache_refresh(QemuCapsCache *cache, const char *binary, GError **error)
{
    g_autofree char *identity = qemu_caps_binary_identity(binary);
    QemuCaps *caps;

    for (;;) {
        caps = g_hash_table_lookup(cache->current, binary);
        if (caps && MV_STREQ(caps->identity, identity))
            return caps;
        if (!g_hash_table_contains(cache->loading, binary))
            break;
        g_cond_wait(&cache->loaded, &cache->lock);
    }
    g_hash_table_add(cache->loading, g_strdup(binary));
    g_mutex_unlock(&cache->lock);
    caps = qemu_caps_get_with_host(binary, cache->cache_dir, cache->host, &cache->cancel, error);
    g_mutex_lock(&cache->lock);
    g_hash_table_remove(cache->loading, binary);
    g_cond_broadcast(&cache->loaded);
    if (!caps) {
        g_hash_table_remove(cache->current, binary);
        return NULL;
    }
    g_ptr_array_add(cache->all, caps);
    g_hash_table_replace(cache->current, g_strdup(binary), caps);
    return caps;
}

static gboolean
qemu_caps_snapshot_equal(GPtrArray *a, GPtrArray *b)
{
    if (!a || a->len != b->len)
        return FALSE;
    for (guint i = 0; i < a->len; i++) {
        if (a->pdata[i] != b->pdata[i])
            return FALSE;
    }
    return TRUE;
}

/*
 * The binaries in the search path.  Reading /usr/bin (well over a thousand
 * entries, twice when /bin is a link to it) at every domain start costs
 * more than the rest of the start's preparation: search again only when a
 * directory changed.  Called with the lock held.
 */
static GPtrArray *
qemu_caps_cache_binaries(QemuCapsCache *cache)
{
    g_autofree char *identity = qemu_caps_search_dirs_identity();

    if (!cache->bins || !g_str_equal(identity, cache->bins_identity)) {
        g_clear_pointer(&cache->bins, g_ptr_array_unref);
        cache->bins = qemu_caps_find_binaries();
        g_free(cache->bins_identity);
        cache->bins_identity = g_steal_pointer(&identity);
    }
    return cache->bins;
}

GPtrArray *
qemu_caps_cache_get_all(QemuCapsCache *cache)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    GPtrArray *bins;
    GPtrArray *ret;

    g_mutex_lock(&cache->lock);
    /* Ours: a search by another caller while a binary loads replaces it. */
    bins = g_ptr_array_ref(qemu_caps_cache_binaries(cache));
    for (guint i = 0; i < bins->len; i++) {
        g_autoptr(GError) error = NULL;
        QemuCaps *caps = qemu_caps_cache_refresh(cache, bins->pdata[i], &error);

        if (caps)
            g_ptr_array_add(list, caps);
        else if (g_error_matches(error, mv_error_quark(MV_FROM_QEMU), MV_ERR_OPERATION_ABORTED))
            g_debug("%s", error->message);
        else
            g_warning("%s", error->message);
    }
    /* Callers keep the arrays they got: never change one, make a new one. */
    if (!qemu_caps_snapshot_equal(cache->snapshot, list)) {
        cache->snapshot = g_steal_pointer(&list);
        g_ptr_array_add(cache->snapshots, cache->snapshot);
    }
    ret = cache->snapshot;
    g_mutex_unlock(&cache->lock);
    g_ptr_array_unref(bins);
    return ret;
}

const QemuCaps *
qemu_caps_cache_get_one(QemuCapsCache *cache, const char *binary, const char *arch,
                        gboolean *ret_found, GError **error)
{
    g_autoptr(GError) last = NULL;
    g_autoptr(GPtrArray) bins = NULL;
    gboolean found = FALSE;

    g_mutex_lock(&cache->lock);
    bins = g_ptr_array_ref(qemu_caps_cache_binaries(cache));
    for (guint i = 0; i < bins->len; i++) {
        g_autofree char *bin_arch = binary ? NULL : qemu_caps_arch_from_binary(bins->pdata[i]);
        QemuCaps *caps;

        if (binary ? !g_str_equal(bins->pdata[i], binary) : !g_str_equal(bin_arch, arch))
            continue;
        found = TRUE;
        g_clear_error(&last);
        if ((caps = qemu_caps_cache_refresh(cache, bins->pdata[i], &last))) {
            g_mutex_unlock(&cache->lock);
            if (ret_found)
                *ret_found = TRUE;
            return caps;
        }
    }
    g_mutex_unlock(&cache->lock);
    if (ret_found)
        *ret_found = found;
    if (last)
        g_propagate_error(error, g_steal_pointer(&last));
    else if (binary)
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "emulator '%s' is not a known qemu-system binary", binary);
    else
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                     "unable to find any emulator to serve '%s' architecture", arch);
    return NULL;
}

const QemuCaps *
qemu_caps_cache_get_arch(QemuCapsCache *cache, const char *arch, GError **error)
{
    return qemu_caps_cache_get_one(cache, NULL, arch, NULL, error);
}

GPtrArray *
qemu_caps_cache_peek_all(QemuCapsCache *cache)
{
    GPtrArray *ret;

    if (!g_mutex_trylock(&cache->lock))
        return NULL;
    ret = cache->snapshot;
    g_mutex_unlock(&cache->lock);
    return ret;
}

const QemuCaps *
qemu_caps_cache_lookup(QemuCapsCache *cache, const char *emulator, const char *arch,
                       GError **error)
{
    GPtrArray *all;

    if (emulator) {
        const QemuCaps *caps;

        if (!g_path_is_absolute(emulator) || access(emulator, X_OK) != 0) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                         "emulator '%s' is not an executable absolute path", emulator);
            return NULL;
        }
        g_mutex_lock(&cache->lock);
        caps = qemu_caps_cache_refresh(cache, emulator, error);
        g_mutex_unlock(&cache->lock);
        return caps;
    }
    all = qemu_caps_cache_get_all(cache);
    for (guint i = 0; i < all->len; i++) {
        const QemuCaps *caps = g_ptr_array_index(all, i);

        if (arch && g_str_equal(caps->arch, arch))
            return caps;
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG,
                 "unable to find any emulator to serve '%s' architecture",
                 arch ? arch : "(none)");
    return NULL;
}

static gpointer
qemu_caps_cache_thread(gpointer opaque)
{
    struct utsname ut;

    /* The host's emulator first, alone: it answers getVersion and most
     * starts, which need not wait for the other architectures then. */
    if (uname(&ut) == 0)
        qemu_caps_cache_get_arch(opaque, ut.machine, NULL);
    qemu_caps_cache_get_all(opaque);
    return NULL;
}

void
qemu_caps_cache_probe_async(QemuCapsCache *cache)
{
    if (!cache->thread)
        cache->thread = g_thread_new("qemu-caps", qemu_caps_cache_thread, cache);
}
