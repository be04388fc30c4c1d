/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage-file.c: file and block device volumes.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib.h>

#include "drivers/storage/storage-file.h"
#include "drivers/storage/storage-qcow2.h"
#include "util/error.h"
#include "util/macros.h"

#define FILE_HEADER_LEN 4096
#define FILE_COPY_CHUNK (1024 * 1024)
#define QCOW2_EXT_BACKING_FORMAT 0xE2792ACAu
#define QCOW2_INCOMPAT_EXTL2 (1u << 4)
#define QCOW2_COMPAT_LAZY_REFCOUNTS 1u
#define QCOW1_HEADER_LEN 48
#define QCOW2_V2_HEADER_LEN 72
#define QCOW2_V3_HEADER_LEN 104
#define ISO_MAGIC_OFFSET 32769

/* ---- reading headers ---------------------------------------------------------- */

static guint32
be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static guint64
be64(const guint8 *p)
{
    return ((guint64)be32(p) << 32) | be32(p + 4);
}

static guint64
le64(const guint8 *p)
{
    guint64 v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* The backing file name: in the header already read (@hdr, @len bytes)
 * or further in the file.  NB: the offset and size come from the file:
 * every bound is checked without overflow. */
static char *
qcow2_read_backing(int fd, const guint8 *hdr, gsize len)
{
    guint64 off = be64(hdr + 8);
    guint32 size = be32(hdr + 16);
    g_autofree char *name = NULL;

    if (off == 0 || size == 0 || size > 1023 || off > (guint64)G_MAXINT64 - size)
        return NULL;
    name = g_malloc0(size + 1);
    if (off <= len && size <= len - off)
        memcpy(name, hdr + off, size);
    else if (pread(fd, name, size, (off_t)off) != (gssize)size)
        return NULL;
    return g_steal_pointer(&name);
}

/* The backing format header extension, -1 when absent.  @len covers the
 * whole header (104 bytes for version 3). */
static int
qcow2_read_backing_format(const guint8 *hdr, gsize len, guint32 version)
{
    gsize off = version >= 3 ? be32(hdr + 100) : 72;

    while (off <= len && len - off >= 8) {
        guint32 type = be32(hdr + off);
        guint32 elen = be32(hdr + off + 4);
        g_autofree char *fmt = NULL;

        if (type == 0)
            break;
        if (type == QCOW2_EXT_BACKING_FORMAT && elen <= len - off - 8) {
            fmt = g_strndup((const char *)hdr + off + 8, elen);
            return storage_file_format_from_string(fmt);
        }
        off += 8 + (((gsize)elen + 7) & ~(gsize)7);
    }
    return -1;
}

static void
probe_qcow2(StorageVolDef *def, int fd, const guint8 *hdr, gsize len)
{
    guint32 version = be32(hdr + 4);
    gsize header_len = QCOW1_HEADER_LEN;
    g_autofree char *backing = NULL;

    def->target.format = version == 1 ? STORAGE_FILE_QCOW : STORAGE_FILE_QCOW2;
    def->capacity = be64(hdr + 24);
    if (version >= 2) {
        def->target.cluster_size = (guint64)1 << MIN(be32(hdr + 20), 31u);
        def->target.compat = g_strdup(version == 2 ? "0.10" : "1.1");
    }
    if (version >= 3 && len >= QCOW2_V3_HEADER_LEN) {
        def->target.has_features = TRUE;
        if (be64(hdr + 80) & QCOW2_COMPAT_LAZY_REFCOUNTS)
            def->target.features |= 1u << STORAGE_FILE_FEATURE_LAZY_REFCOUNTS;
        if (be64(hdr + 72) & QCOW2_INCOMPAT_EXTL2)
            def->target.features |= 1u << STORAGE_FILE_FEATURE_EXTENDED_L2;
    }
    /* A header cut short is no image QEMU would open: no backing store. */
    if (version >= 3)
        header_len = QCOW2_V3_HEADER_LEN;
    else if (version == 2)
        header_len = QCOW2_V2_HEADER_LEN;
    if (len < header_len)
        return;
    if ((backing = qcow2_read_backing(fd, hdr, len))) {
        def->backing = g_new0(StorageVolBacking, 1);
        storage_perms_init(&def->backing->perms);
        def->backing->path = g_steal_pointer(&backing);
        def->backing->format = version >= 2 ? qcow2_read_backing_format(hdr, len, version) : -1;
        if (def->backing->format < 0)
            def->backing->format = STORAGE_FILE_RAW;
    }
}

/* Set format and capacity from the first bytes of a regular file. */
static void
probe_header(StorageVolDef *def, int fd, guint64 size)
{
    guint8 hdr[FILE_HEADER_LEN];
    gssize len = size >= 4 ? pread(fd, hdr, sizeof(hdr), 0) : 0;
    char iso[5];

    def->target.format = STORAGE_FILE_RAW;
    def->capacity = size;
    if (len >= 32 && memcmp(hdr, "QFI\xfb", 4) == 0)
        probe_qcow2(def, fd, hdr, len);
    else if (len >= 56 && memcmp(hdr, "QED\0", 4) == 0)
        def->target.format = STORAGE_FILE_QED, def->capacity = le64(hdr + 48);
    else if (len >= 20 && memcmp(hdr, "KDMV", 4) == 0)
        def->target.format = STORAGE_FILE_VMDK, def->capacity = le64(hdr + 12) * 512;
    else if (len >= 376 && be32(hdr + 64) == 0x7f10dabe)
        def->target.format = STORAGE_FILE_VDI, def->capacity = le64(hdr + 368);
    else if (len >= 56 && memcmp(hdr, "conectix", 8) == 0)
        def->target.format = STORAGE_FILE_VPC, def->capacity = be64(hdr + 48);
    else if (size >= ISO_MAGIC_OFFSET + 5 &&
             pread(fd, iso, 5, ISO_MAGIC_OFFSET) == 5 && memcmp(iso, "CD001", 5) == 0)
        def->target.format = STORAGE_FILE_ISO;
}

static gboolean
probe_block_size(int fd, guint64 *ret_size)
{
    return ioctl(fd, BLKGETSIZE64, ret_size) == 0;
}

static StorageVolDef *
probe_fd(int fd, const char *name, char *path, GError **error)
{
    g_autoptr(StorageVolDef) def = storage_vol_def_new();
    struct stat st;

    if (fstat(fd, &st) < 0) {
        mv_error_set_errno(error, errno, "cannot stat file '%s'", path);
        g_free(path);
        return NULL;
    }
    def->name = g_strdup(name);
    def->key = g_strdup(path);
    def->target.path = path;
    def->target.perms.mode = st.st_mode & 07777;
    def->target.perms.uid = st.st_uid;
    def->target.perms.gid = st.st_gid;
    def->allocation = (guint64)st.st_blocks * 512;
    def->physical = st.st_size;
    if (S_ISREG(st.st_mode)) {
        def->type = STORAGE_VOL_FILE;
        probe_header(def, fd, st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
        def->type = STORAGE_VOL_DIR;
        def->target.format = STORAGE_FILE_DIR;
        def->capacity = st.st_size;
    } else if (S_ISBLK(st.st_mode)) {
        guint64 size = 0;

        def->type = STORAGE_VOL_BLOCK;
        def->target.format = STORAGE_FILE_RAW;
        probe_block_size(fd, &size);
        def->capacity = def->allocation = def->physical = size;
    } else {
        return NULL;
    }
    return g_steal_pointer(&def);
}

StorageVolDef *
storage_file_probe(int dirfd, const char *dir, const char *name, GError **error)
{
    mv_autoclose int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

    if (fd < 0) {
        /* Gone meanwhile, a dangling link, a socket: not a volume. */
        if (errno == ENOENT || errno == ELOOP || errno == ENXIO || errno == EACCES)
            return NULL;
        mv_error_set_errno(error, errno, "cannot open volume '%s/%s'", dir, name);
        return NULL;
    }
    return probe_fd(fd, name, g_build_filename(dir, name, NULL), error);
}

StorageVolDef *
storage_file_probe_path(const char *path, GError **error)
{
    mv_autoclose int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    g_autofree char *name = g_path_get_basename(path);
    StorageVolDef *def;

    if (fd < 0) {
        mv_error_set_errno(error, errno, "cannot open volume '%s'", path);
        return NULL;
    }
    def = probe_fd(fd, name, g_strdup(path), error);
    if (!def && error && !*error)
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "'%s' is not a file, directory or block device", path);
    return def;
}

gboolean
storage_file_pool_sizes(const char *path, guint64 *ret_capacity, guint64 *ret_allocation,
                        guint64 *ret_available, GError **error)
{
    struct statvfs sb;

    if (statvfs(path, &sb) < 0) {
        mv_error_set_errno(error, errno, "cannot statvfs path '%s'", path);
        return FALSE;
    }
    *ret_capacity = (guint64)sb.f_frsize * sb.f_blocks;
    *ret_available = (guint64)sb.f_frsize * sb.f_bavail;
    *ret_allocation = (guint64)sb.f_frsize * (sb.f_blocks - sb.f_bfree);
    return TRUE;
}

/* ---- writing ------------------------------------------------------------------ */

static gboolean
file_write_all(int fd, const void *buf, gsize len, guint64 off, const char *path,
               GError **error)
{
    const guint8 *p = buf;

    while (len > 0) {
        gssize n = pwrite(fd, p, MIN(len, (gsize)G_MAXSSIZE), off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            mv_error_set_errno(error, n < 0 ? errno : EIO, "cannot write to '%s'", path);
            return FALSE;
        }
        p += n;
        len -= n;
        off += n;
    }
    return TRUE;
}

/* Make [off, off + len) of @fd read as zeros, allocated. */
static gboolean
file_zero_range(int fd, guint64 off, guint64 len, gboolean is_block, const char *path,
                GError **error)
{
    g_autofree guint8 *zeros = NULL;

    if (len == 0)
        return TRUE;
    if (is_block) {
        guint64 range[2] = { off, len };

        if (ioctl(fd, BLKZEROOUT, range) == 0)
            return TRUE;
    } else if (fallocate(fd, FALLOC_FL_ZERO_RANGE, off, len) == 0) {
        return TRUE;
    }
    zeros = g_malloc0(FILE_COPY_CHUNK);
    while (len > 0) {
        gsize n = MIN(len, (guint64)FILE_COPY_CHUNK);

        if (!file_write_all(fd, zeros, n, off, path, error))
            return FALSE;
        off += n;
        len -= n;
    }
    return TRUE;
}

/* Allocate [off, off + len) (zeros where it was a hole). */
static gboolean
file_allocate(int fd, guint64 off, guint64 len, const char *path, GError **error)
{
    if (len == 0)
        return TRUE;
    if (fallocate(fd, 0, off, len) == 0)
        return TRUE;
    if (errno != EOPNOTSUPP && errno != ENOSYS) {
        mv_error_set_errno(error, errno, "cannot allocate %" G_GUINT64_FORMAT
                           " bytes in '%s'", len, path);
        return FALSE;
    }
    return file_zero_range(fd, off, len, FALSE, path, error);
}

static char *
file_vol_path(StorageBackendPool *pool, const char *name)
{
    return g_build_filename(pool->def->target.path, name, NULL);
}

/* The volumes of dir and fs pools are names in the pool's directory,
 * which others may write to: a volume there is never written through a
 * symbolic link (the daemon would write where the link points).  Logical
 * volumes are links (/dev/VG/LV) by design. */
static int
file_nofollow(const StorageBackendPool *pool)
{
    if (pool->def->type == STORAGE_POOL_DIR || pool->def->type == STORAGE_POOL_FS ||
        pool->def->type == STORAGE_POOL_NETFS)
        return O_NOFOLLOW;
    return 0;
}

/* Open @vol's file or device (@flags: O_RDONLY, O_WRONLY or O_RDWR, and
 * file_nofollow() to change it), refusing anything but a file or device. */
static int
file_open_existing(const StorageVolDef *vol, int flags, struct stat *st, GError **error)
{
    int fd = open(vol->target.path, flags | O_NOCTTY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, st) < 0) {
        mv_error_set_errno(error, errno, "cannot open volume '%s'", vol->target.path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "volume '%s' is not a file or block device", vol->name);
        close(fd);
        return -1;
    }
    return fd;
}

/* Create @path for a new volume: exclusive, with the volume's mode and
 * owner. */
static int
file_create(const char *path, const StorageVolDef *vol, GError **error)
{
    mode_t mode = vol->target.perms.mode >= 0 ? (mode_t)vol->target.perms.mode : 0600;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

    if (fd < 0) {
        if (errno == EEXIST)
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_STORAGE_VOL_EXIST, "'%s'", vol->name);
        else
            mv_error_set_errno(error, errno, "cannot create volume '%s'", path);
        return -1;
    }
    if (fchmod(fd, mode) < 0 ||
        ((vol->target.perms.uid >= 0 || vol->target.perms.gid >= 0) &&
         fchown(fd, vol->target.perms.uid >= 0 ? (uid_t)vol->target.perms.uid : (uid_t)-1,
                vol->target.perms.gid >= 0 ? (gid_t)vol->target.perms.gid : (gid_t)-1) < 0)) {
        mv_error_set_errno(error, errno, "cannot set the permissions of volume '%s'", path);
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

static void
file_fill_new(StorageBackendPool *pool, StorageVolDef *vol)
{
    g_free(vol->target.path);
    vol->target.path = file_vol_path(pool, vol->name);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    vol->type = STORAGE_VOL_FILE;
}

static gboolean
file_create_raw(StorageBackendPool *pool, StorageVolDef *vol, GError **error)
{
    mv_autoclose int fd = file_create(vol->target.path, vol, error);
    guint64 alloc = MIN(vol->allocation, vol->capacity);

    if (fd < 0)
        return FALSE;
    if (!file_allocate(fd, 0, alloc, vol->target.path, error) ||
        ftruncate(fd, vol->capacity) < 0) {
        if (error && !*error)
            mv_error_set_errno(error, errno, "cannot resize volume '%s'", vol->target.path);
        unlink(vol->target.path);
        return FALSE;
    }
    return TRUE;
}

/* The backing store of a new qcow2 volume must exist; its format and
 * size fill in what the XML left out. */
static gboolean
file_check_backing(StorageVolDef *vol, GError **error)
{
    g_autoptr(StorageVolDef) b = NULL;

    if (!vol->backing || !vol->backing->path)
        return TRUE;
    if (!(b = storage_file_probe_path(vol->backing->path, NULL))) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_INTERNAL_ERROR,
                     "backing storage not supported for raw volumes or backing file '%s' "
                     "does not exist", vol->backing->path);
        return FALSE;
    }
    if (vol->backing->format < 0 || vol->backing->format == STORAGE_FILE_NONE)
        vol->backing->format = b->target.format;
    /* As qemu-img create without a size: the backing store's. */
    if (!vol->has_capacity || vol->capacity == 0) {
        vol->capacity = b->capacity;
        vol->has_capacity = TRUE;
    }
    return TRUE;
}

static void
file_qcow2_opts(const StorageVolDef *vol, unsigned int flags, StorageQcow2Opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->size = vol->capacity;
    opts->compat = vol->target.compat;
    opts->cluster_size = vol->target.cluster_size;
    opts->lazy_refcounts = !!(vol->target.features &
                              (1u << STORAGE_FILE_FEATURE_LAZY_REFCOUNTS));
    opts->extended_l2 = !!(vol->target.features & (1u << STORAGE_FILE_FEATURE_EXTENDED_L2));
    opts->prealloc_metadata = !!(flags & STORAGE_VOL_CREATE_PREALLOC_METADATA);
    if (vol->backing && vol->backing->path) {
        opts->backing_path = vol->backing->path;
        opts->backing_format = storage_file_format_to_string(vol->backing->format);
    }
}

static gboolean
file_create_qcow2(StorageBackendPool *pool, StorageVolDef *vol, unsigned int flags,
                  GError **error)
{
    StorageQcow2Opts opts;
    mv_autoclose int fd = -1;

    if (!file_check_backing(vol, error))
        return FALSE;
    if ((fd = file_create(vol->target.path, vol, error)) < 0)
        return FALSE;
    file_qcow2_opts(vol, flags, &opts);
    /* QEMU writes the file created, even if its name changed meanwhile. */
    if (!storage_qcow2_create_fd(pool->qcow2, fd, vol->target.path, &opts, pool->deadline,
                                 error)) {
        unlink(vol->target.path);
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_file_create_vol(StorageBackendPool *pool, StorageVolDef *vol, unsigned int flags,
                        GError **error)
{
    if (flags & ~(STORAGE_VOL_CREATE_PREALLOC_METADATA | STORAGE_VOL_CREATE_VALIDATE)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "unsupported flags (0x%x) for volume creation in a %s pool",
                     flags & ~(STORAGE_VOL_CREATE_PREALLOC_METADATA |
                               STORAGE_VOL_CREATE_VALIDATE),
                     storage_pool_type_to_string(pool->def->type));
        return FALSE;
    }
    file_fill_new(pool, vol);
    switch (vol->target.format) {
    case STORAGE_FILE_RAW:
        if (flags & STORAGE_VOL_CREATE_PREALLOC_METADATA) {
            mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                         "metadata preallocation only available with qcow2");
            return FALSE;
        }
        return file_create_raw(pool, vol, error);
    case STORAGE_FILE_QCOW2:
        return file_create_qcow2(pool, vol, flags, error);
    default:
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot create volumes of format '%s' in a %s pool",
                     storage_file_format_to_string(vol->target.format),
                     storage_pool_type_to_string(pool->def->type));
        return FALSE;
    }
}

/* ---- cloning ------------------------------------------------------------------ */

static gboolean
file_copy_range(int in, int out, guint64 off, guint64 len, const char *path, GError **error)
{
    g_autofree guint8 *buf = NULL;

    while (len > 0) {
        loff_t ioff = off, ooff = off;
        gssize n = copy_file_range(in, &ioff, out, &ooff, MIN(len, (guint64)G_MAXINT32), 0);

        if (n > 0) {
            off += n;
            len -= n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            break;
        if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS) {
            mv_error_set_errno(error, errno, "cannot copy to '%s'", path);
            return FALSE;
        }
        /* Not between these files: copy through a buffer. */
        if (!buf)
            buf = g_malloc(FILE_COPY_CHUNK);
        n = pread(in, buf, MIN(len, (guint64)FILE_COPY_CHUNK), off);
        if (n <= 0) {
            mv_error_set_errno(error, n < 0 ? errno : EIO, "cannot read the source of '%s'",
                               path);
            return FALSE;
        }
        if (!file_write_all(out, buf, n, off, path, error))
            return FALSE;
        off += n;
        len -= n;
    }
    return TRUE;
}

/* Copy @in's data to @out, leaving its holes as holes. */
static gboolean
file_copy_sparse(int in, int out, guint64 size, const char *path, GError **error)
{
    guint64 off = 0;

    while (off < size) {
        off_t data = lseek(in, off, SEEK_DATA);
        off_t hole;

        if (data < 0 && errno == ENXIO)
            break;
        if (data < 0)   /* no SEEK_DATA (a block device): all data */
            return file_copy_range(in, out, off, size - off, path, error);
        hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0 || (guint64)hole > size)
            hole = size;
        if (!file_copy_range(in, out, data, hole - data, path, error))
            return FALSE;
        off = hole;
    }
    return TRUE;
}

static gboolean
file_clone_raw(StorageVolDef *vol, const StorageVolDef *src, GError **error)
{
    mv_autoclose int in = open(src->target.path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
    mv_autoclose int out = -1;
    struct stat st;
    guint64 size;

    if (in < 0 || fstat(in, &st) < 0) {
        mv_error_set_errno(error, errno, "cannot open volume '%s'", src->target.path);
        return FALSE;
    }
    size = st.st_size;
    if (S_ISBLK(st.st_mode))
        probe_block_size(in, &size);
    if ((out = file_create(vol->target.path, vol, error)) < 0)
        return FALSE;
    if (!file_copy_sparse(in, out, size, vol->target.path, error) ||
        ftruncate(out, MAX(vol->capacity, size)) < 0) {
        if (error && !*error)
            mv_error_set_errno(error, errno, "cannot resize volume '%s'", vol->target.path);
        unlink(vol->target.path);
        return FALSE;
    }
    return TRUE;
}

/* Any other pair of formats: qemu-img convert. */
static gboolean
file_clone_convert(StorageBackendPool *pool, StorageVolDef *vol, const StorageVolDef *src,
                   guint64 src_capacity, GError **error)
{
    const char *src_fmt = src->target.format > 0 ? storage_file_format_to_string(src->target.format)
                                                 : "raw";
    const char *dst_fmt = storage_file_format_to_string(vol->target.format);
    g_autofree char *o = g_strdup_printf("compat=%s", vol->target.compat ? vol->target.compat
                                                                          : "1.1");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *target = NULL;
    mv_autoclose int fd = -1;

    if ((fd = file_create(vol->target.path, vol, error)) < 0)
        return FALSE;
    /* qemu-img writes the file created, even if its name changed meanwhile. */
    target = storage_fd_path(fd);
    g_ptr_array_add(argv, (char *)"qemu-img");
    g_ptr_array_add(argv, (char *)"convert");
    g_ptr_array_add(argv, (char *)"-q");
    g_ptr_array_add(argv, (char *)"-f");
    g_ptr_array_add(argv, (char *)src_fmt);
    g_ptr_array_add(argv, (char *)"-O");
    g_ptr_array_add(argv, (char *)dst_fmt);
    if (vol->target.format == STORAGE_FILE_QCOW2) {
        g_ptr_array_add(argv, (char *)"-o");
        g_ptr_array_add(argv, o);
    }
    g_ptr_array_add(argv, src->target.path);
    g_ptr_array_add(argv, target);
    g_ptr_array_add(argv, NULL);
    if (!storage_command_run((const char *const *)argv->pdata, NULL, pool->deadline, NULL,
                             NULL, NULL, error) ||
        (vol->capacity > src_capacity && vol->target.format == STORAGE_FILE_QCOW2 &&
         !storage_qcow2_resize_fd(pool->qcow2, fd, vol->target.path, vol->capacity,
                                  storage_backend_step_deadline(pool), error)) ||
        (vol->capacity > src_capacity && vol->target.format == STORAGE_FILE_RAW &&
         ftruncate(fd, vol->capacity) < 0)) {
        if (error && !*error)
            mv_error_set_errno(error, errno, "cannot resize volume '%s'", vol->target.path);
        unlink(vol->target.path);
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_file_clone_vol(StorageBackendPool *pool, StorageVolDef *vol,
                       const StoragePoolDef *src_pool, const StorageVolDef *src,
                       unsigned int flags, GError **error)
{
    int src_fmt = src->target.format;

    if (flags & ~STORAGE_VOL_CREATE_PREALLOC_METADATA) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "unsupported flags (0x%x) for cloning a volume",
                     flags & ~STORAGE_VOL_CREATE_PREALLOC_METADATA);
        return FALSE;
    }
    if (src->type == STORAGE_VOL_DIR || src->type == STORAGE_VOL_NETWORK) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot clone volume '%s': it is not a file or block device", src->name);
        return FALSE;
    }
    file_fill_new(pool, vol);
    if (vol->target.format != STORAGE_FILE_RAW && vol->target.format != STORAGE_FILE_QCOW2) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot create volumes of format '%s' in a %s pool",
                     storage_file_format_to_string(vol->target.format),
                     storage_pool_type_to_string(pool->def->type));
        return FALSE;
    }
    vol->capacity = MAX(vol->capacity, src->capacity);
    if (vol->target.format == STORAGE_FILE_RAW && (src_fmt <= STORAGE_FILE_RAW))
        return file_clone_raw(vol, src, error);
    return file_clone_convert(pool, vol, src, src->capacity, error);
}

/* ---- delete, resize, wipe --------------------------------------------------------- */

gboolean
storage_file_delete_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                        unsigned int flags, GError **error)
{
    int r;

    if (flags & ~STORAGE_VOL_DELETE_WITH_SNAPSHOTS) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "unsupported flags (0x%x) for deleting a volume in a %s pool",
                     flags & ~STORAGE_VOL_DELETE_WITH_SNAPSHOTS,
                     storage_pool_type_to_string(pool->def->type));
        return FALSE;
    }
    r = vol->type == STORAGE_VOL_DIR ? rmdir(vol->target.path) : unlink(vol->target.path);
    if (r < 0 && errno != ENOENT) {
        mv_error_set_errno(error, errno, "cannot unlink file '%s'", vol->target.path);
        return FALSE;
    }
    return TRUE;
}

gboolean
storage_file_resize_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                        guint64 capacity, unsigned int flags, GError **error)
{
    mv_autoclose int fd = -1;
    struct stat st;

    if (vol->type != STORAGE_VOL_FILE) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot resize volume '%s': it is not a file", vol->name);
        return FALSE;
    }
    if (vol->target.format == STORAGE_FILE_QCOW2 && (flags & STORAGE_VOL_RESIZE_ALLOCATE)) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_OPERATION_UNSUPPORTED,
                     "preallocate is only supported for raw type volume");
        return FALSE;
    }
    if (vol->target.format != STORAGE_FILE_RAW && vol->target.format != STORAGE_FILE_QCOW2) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "storage pool does not support changing of volume capacity of format '%s'",
                     storage_file_format_to_string(vol->target.format));
        return FALSE;
    }
    if ((fd = file_open_existing(vol, O_RDWR | file_nofollow(pool), &st, error)) < 0)
        return FALSE;
    if (vol->target.format == STORAGE_FILE_QCOW2)
        return storage_qcow2_resize_fd(pool->qcow2, fd, vol->target.path, capacity,
                                       pool->deadline, error);
    if ((flags & STORAGE_VOL_RESIZE_ALLOCATE) && capacity > (guint64)st.st_size &&
        !file_allocate(fd, st.st_size, capacity - st.st_size, vol->target.path, error))
        return FALSE;
    if (ftruncate(fd, capacity) < 0) {
        mv_error_set_errno(error, errno, "cannot resize volume '%s'", vol->target.path);
        return FALSE;
    }
    return TRUE;
}

static gboolean
file_wipe_scrub(StorageBackendPool *pool, const StorageVolDef *vol,
                StorageVolWipeAlgorithm algorithm, GError **error)
{
    static const char *const patterns[] = {
        [STORAGE_VOL_WIPE_ALG_NNSA] = "nnsa", [STORAGE_VOL_WIPE_ALG_DOD] = "dod",
        [STORAGE_VOL_WIPE_ALG_BSI] = "bsi", [STORAGE_VOL_WIPE_ALG_GUTMANN] = "gutmann",
        [STORAGE_VOL_WIPE_ALG_SCHNEIER] = "schneier",
        [STORAGE_VOL_WIPE_ALG_PFITZNER7] = "pfitzner7",
        [STORAGE_VOL_WIPE_ALG_PFITZNER33] = "pfitzner33",
        [STORAGE_VOL_WIPE_ALG_RANDOM] = "random",
    };
    g_autofree char *scrub = storage_command_find("scrub");
    g_autofree char *target = NULL;
    const char *argv[] = { "scrub", "-f", "-p", patterns[algorithm], NULL, NULL };
    mv_autoclose int fd = -1;
    struct stat st;

    if (!scrub) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_SYSTEM_ERROR,
                     "Cannot find 'scrub' in path: %s", g_strerror(ENOENT));
        return FALSE;
    }
    if ((fd = file_open_existing(vol, O_WRONLY | file_nofollow(pool), &st, error)) < 0)
        return FALSE;
    argv[4] = target = storage_fd_path(fd);
    return storage_command_run(argv, NULL, pool->deadline, NULL, NULL, NULL, error);
}

/* A qcow2 image is wiped by writing a new, empty one in its place: its
 * data are gone and it is still the image it was (size, format, backing
 * store), where zeroing its bytes would destroy the image.  The new image
 * is written beside it and renamed over it: if QEMU fails, the volume is
 * as it was. */
static gboolean
file_wipe_qcow2(StorageBackendPool *pool, const StorageVolDef *vol, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(vol->target.path);
    g_autofree char *base = g_path_get_basename(vol->target.path);
    g_autofree char *tmp = g_strdup_printf("%s/%s%s.XXXXXX", dir, STORAGE_FILE_TEMP_PREFIX,
                                           base);
    mv_autoclose int fd = -1;
    mv_autoclose int tfd = -1;
    StorageQcow2Opts opts;
    struct stat st;

    if ((fd = file_open_existing(vol, O_RDONLY | file_nofollow(pool), &st, error)) < 0)
        return FALSE;
    if ((tfd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, st.st_mode & 07777)) < 0) {
        mv_error_set_errno(error, errno, "cannot create a file beside '%s'", vol->target.path);
        return FALSE;
    }
    file_qcow2_opts(vol, 0, &opts);
    if (fchmod(tfd, st.st_mode & 07777) < 0 || fchown(tfd, st.st_uid, st.st_gid) < 0) {
        mv_error_set_errno(error, errno, "cannot set the permissions of '%s'", tmp);
    } else if (storage_qcow2_create_fd(pool->qcow2, tfd, vol->target.path, &opts,
                                       storage_backend_step_deadline(pool), error)) {
        if (rename(tmp, vol->target.path) == 0)
            return TRUE;
        mv_error_set_errno(error, errno, "cannot replace '%s'", vol->target.path);
    }
    unlink(tmp);
    return FALSE;
}

gboolean
storage_file_wipe_vol(StorageBackendPool *pool, const StorageVolDef *vol,
                      StorageVolWipeAlgorithm algorithm, unsigned int flags, GError **error)
{
    mv_autoclose int fd = -1;
    struct stat st;
    guint64 size;

    if (algorithm == STORAGE_VOL_WIPE_ALG_TRIM) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "'trim' algorithm not supported");
        return FALSE;
    }
    if (vol->type != STORAGE_VOL_FILE && vol->type != STORAGE_VOL_BLOCK) {
        mv_error_set(error, MV_FROM_STORAGE, MV_ERR_NO_SUPPORT,
                     "cannot wipe volume '%s': it is not a file or block device", vol->name);
        return FALSE;
    }
    if (algorithm != STORAGE_VOL_WIPE_ALG_ZERO)
        return file_wipe_scrub(pool, vol, algorithm, error);
    if (vol->type == STORAGE_VOL_FILE && vol->target.format == STORAGE_FILE_QCOW2)
        return file_wipe_qcow2(pool, vol, error);
    if ((fd = file_open_existing(vol, O_WRONLY | file_nofollow(pool), &st, error)) < 0)
        return FALSE;
    size = st.st_size;
    if (S_ISBLK(st.st_mode))
        probe_block_size(fd, &size);
    if (!file_zero_range(fd, 0, size, S_ISBLK(st.st_mode), vol->target.path, error))
        return FALSE;
    if (fdatasync(fd) < 0) {
        mv_error_set_errno(error, errno, "cannot sync volume '%s'", vol->target.path);
        return FALSE;
    }
    return TRUE;
}

StorageVolDef *
storage_file_refresh_vol(StorageBackendPool *pool, const StorageVolDef *vol, GError **error)
{
    StorageVolDef *def = storage_file_probe_path(vol->target.path, error);

    if (def) {
        g_free(def->name);
        def->name = g_strdup(vol->name);
    }
    return def;
}

StorageVolIO *
storage_file_open_vol(StorageBackendPool *pool, const StorageVolDef *vol, gboolean write,
                      GError **error)
{
    struct stat st;
    guint64 size;
    int fd;

    /* NB: a download reads through a link, as libvirt does; an upload
     * never writes through one. */
    if (write)
        fd = file_open_existing(vol, O_WRONLY | file_nofollow(pool), &st, error);
    else
        fd = file_open_existing(vol, O_RDONLY, &st, error);
    if (fd < 0)
        return NULL;
    size = st.st_size;
    if (S_ISBLK(st.st_mode))
        probe_block_size(fd, &size);
    return storage_vol_io_new_fd(fd, size, S_ISBLK(st.st_mode));
}
