/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-volume.c: mvsh's storage volume commands, with virsh's names, options
 * and output.  `vol-list` is one bulk call: a file-backed volume's key is
 * its path, so only volumes with another kind of key cost a call each.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli-util.h"

#define VOL_CHUNK (256 * 1024)

static const char *const vol_type_names[] = {
    "file", "block", "dir", "network", "netdir", "ploop",
};

static const char *
vol_type_to_string(int type)
{
    if (type < 0 || type >= (int)G_N_ELEMENTS(vol_type_names))
        return "unknown";
    return vol_type_names[type];
}

/* ---- vol-list ---------------------------------------------------------------------- */

static int
vol_compare(gconstpointer a, gconstpointer b)
{
    MvStorageVol *va = *(MvStorageVol *const *)a;
    MvStorageVol *vb = *(MvStorageVol *const *)b;

    return g_ascii_strcasecmp(mv_storage_vol_get_name(va), mv_storage_vol_get_name(vb));
}

/* The path of @vol: its key when that is a path, else asked for. */
static char *
vol_list_path(MvStorageVol *vol)
{
    const char *key = mv_storage_vol_get_key(vol);
    char *path;

    if (key && key[0] == '/')
        return g_strdup(key);
    if (!(path = mv_storage_vol_get_path(vol)))
        return g_strdup("unknown");
    return path;
}

static void
vol_list_details_row(CliTable *table, MvStorageVol *vol, const char *path)
{
    MvStorageVolInfo info;
    g_autofree char *cap = NULL;
    g_autofree char *alloc = NULL;

    if (mv_storage_vol_get_info(vol, &info) < 0) {
        cli_table_add_row(table, mv_storage_vol_get_name(vol), path, "unknown", "unknown",
                          "unknown", NULL);
        return;
    }
    cap = cli_format_capacity(info.capacity);
    alloc = cli_format_capacity(info.allocation);
    cli_table_add_row(table, mv_storage_vol_get_name(vol), path, vol_type_to_string(info.type),
                      cap, alloc, NULL);
}

static gboolean
cmd_vol_list(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(cli_vol_unref);
    gboolean details = cli_args_has(args, "details");
    g_autoptr(CliTable) table = NULL;
    MvStorageVol **vols = NULL;
    int n;

    if (!pool)
        return FALSE;
    if ((n = mv_storage_pool_list_all_volumes(pool, &vols, 0)) < 0) {
        cli_fail("Failed to list volumes");
        return FALSE;
    }
    for (int i = 0; i < n; i++)
        g_ptr_array_add(list, vols[i]);
    g_free(vols);
    g_ptr_array_sort(list, vol_compare);
    if (details)
        table = cli_table_new("Name", "Path", "Type", "Capacity", "Allocation", NULL);
    else
        table = cli_table_new("Name", "Path", NULL);
    for (guint i = 0; i < list->len; i++) {
        MvStorageVol *vol = g_ptr_array_index(list, i);
        g_autofree char *path = vol_list_path(vol);

        if (details)
            vol_list_details_row(table, vol, path);
        else
            cli_table_add_row(table, mv_storage_vol_get_name(vol), path, NULL);
    }
    cli_table_print(table, stdout, !ctl->quiet);
    return TRUE;
}

/* ---- vol-info, vol-path, vol-dumpxml ---------------------------------------------------- */

static void
vol_info_size(const char *label, unsigned long long v, gboolean bytes)
{
    g_autofree char *s = bytes ? g_strdup_printf("%llu bytes", v) : cli_format_capacity(v);

    printf("%-15s %s\n", label, s);
}

static gboolean
cmd_vol_info(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", "pool");
    gboolean physical = cli_args_has(args, "physical");
    gboolean bytes = cli_args_has(args, "bytes");
    MvStorageVolInfo info;
    int r;

    if (!vol)
        return FALSE;
    printf("%-15s %s\n", "Name:", mv_storage_vol_get_name(vol));
    if (physical)
        r = mv_storage_vol_get_info_flags(vol, &info, MV_STORAGE_VOL_GET_PHYSICAL);
    else
        r = mv_storage_vol_get_info(vol, &info);
    if (r < 0) {
        cli_report_error(NULL);
        return FALSE;
    }
    printf("%-15s %s\n", "Type:", vol_type_to_string(info.type));
    vol_info_size("Capacity:", info.capacity, bytes);
    vol_info_size(physical ? "Physical:" : "Allocation:", info.allocation, bytes);
    return TRUE;
}

static gboolean
cmd_vol_path(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", "pool");
    g_autofree char *path = NULL;

    if (!vol)
        return FALSE;
    if (!(path = mv_storage_vol_get_path(vol))) {
        cli_report_error(NULL);
        return FALSE;
    }
    printf("%s\n", path);
    return TRUE;
}

static gboolean
cmd_vol_name(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", NULL);

    if (!vol)
        return FALSE;
    printf("%s\n", mv_storage_vol_get_name(vol));
    return TRUE;
}

static gboolean
cmd_vol_key(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", "pool");

    if (!vol)
        return FALSE;
    printf("%s\n", mv_storage_vol_get_key(vol));
    return TRUE;
}

static gboolean
cmd_vol_pool(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", NULL);
    g_autoptr(MvStoragePool) pool = NULL;
    char uuid[MV_UUID_STRING_BUFLEN];

    if (!vol)
        return FALSE;
    if (!(pool = mv_storage_pool_lookup_by_volume(vol))) {
        cli_fail("failed to get parent pool");
        return FALSE;
    }
    if (!cli_args_has(args, "uuid")) {
        printf("%s\n", mv_storage_pool_get_name(pool));
        return TRUE;
    }
    if (mv_storage_pool_get_uuid_string(pool, uuid) < 0) {
        cli_report_error(NULL);
        return FALSE;
    }
    printf("%s\n", uuid);
    return TRUE;
}

static gboolean
cmd_vol_dumpxml(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", "pool");
    g_autofree char *xml = NULL;

    if (!vol)
        return FALSE;
    if (!(xml = mv_storage_vol_get_xml_desc(vol, 0))) {
        cli_report_error(NULL);
        return FALSE;
    }
    return cli_print_xml(xml, args);
}

/* ---- creation ---------------------------------------------------------------------------- */

static unsigned int
vol_create_flags(const CliArgs *args)
{
    unsigned int flags = 0;

    if (cli_args_has(args, "prealloc-metadata"))
        flags |= MV_STORAGE_VOL_CREATE_PREALLOC_METADATA;
    if (cli_args_has(args, "reflink"))
        flags |= MV_STORAGE_VOL_CREATE_REFLINK;
    if (cli_args_has(args, "validate"))
        flags |= MV_STORAGE_VOL_CREATE_VALIDATE;
    return flags;
}

static gboolean
cmd_vol_create(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    const char *file = cli_args_get(args, "file");
    g_autofree char *xml = NULL;
    g_autoptr(MvStorageVol) vol = NULL;

    if (!pool || !(xml = cli_read_file(file)))
        return FALSE;
    if (!(vol = mv_storage_vol_create_xml(pool, xml, vol_create_flags(args)))) {
        cli_fail("Failed to create vol from %s", file);
        return FALSE;
    }
    cli_print_extra(ctl, "Vol %s created from %s\n", mv_storage_vol_get_name(vol), file);
    return TRUE;
}

/* The path of the --backing-vol of vol-create-as: a volume of @pool, or
 * any volume by key or path, or (as virsh) the argument itself. */
static char *
vol_backing_path(CliCtl *ctl, MvStoragePool *pool, const char *name)
{
    g_autoptr(MvStorageVol) vol = mv_storage_vol_lookup_by_name(pool, name);
    char *path;

    if (!vol)
        vol = mv_storage_vol_lookup_by_key(ctl->conn, name);
    if (!vol)
        vol = mv_storage_vol_lookup_by_path(ctl->conn, name);
    mv_reset_last_error();
    if (!vol) {
        cli_error("failed to get vol '%s'", name);
        return NULL;
    }
    if (!(path = mv_storage_vol_get_path(vol)))
        cli_fail("failed to get vol '%s'", name);
    return path;
}

static char *
vol_build_xml(CliCtl *ctl, MvStoragePool *pool, const CliArgs *args)
{
    const char *capstr = cli_args_get(args, "capacity");
    const char *allocstr = cli_args_get(args, "allocation");
    const char *format = cli_args_get(args, "format");
    const char *backing = cli_args_get(args, "backing-vol");
    const char *bformat = cli_args_get(args, "backing-vol-format");
    g_autofree char *name = g_markup_escape_text(cli_args_get(args, "name"), -1);
    g_autofree char *bpath = NULL;
    unsigned long long capacity;
    unsigned long long allocation;
    GString *xml;

    if (!cli_parse_size(capstr, &capacity) ||
        (allocstr && !cli_parse_size(allocstr, &allocation)))
        return NULL;
    if (backing && !(bpath = vol_backing_path(ctl, pool, backing)))
        return NULL;
    xml = g_string_new("<volume>\n");
    g_string_append_printf(xml, "  <name>%s</name>\n  <capacity>%llu</capacity>\n", name,
                           capacity);
    if (allocstr)
        g_string_append_printf(xml, "  <allocation>%llu</allocation>\n", allocation);
    if (format)
        g_string_append_printf(xml, "  <target>\n    <format type='%s'/>\n  </target>\n",
                               format);
    if (bpath) {
        g_string_append_printf(xml, "  <backingStore>\n    <path>%s</path>\n", bpath);
        if (bformat)
            g_string_append_printf(xml, "    <format type='%s'/>\n", bformat);
        g_string_append(xml, "  </backingStore>\n");
    }
    g_string_append(xml, "</volume>\n");
    return g_string_free(xml, FALSE);
}

static gboolean
cmd_vol_create_as(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    g_autoptr(MvStorageVol) vol = NULL;
    g_autofree char *xml = NULL;
    const char *name = cli_args_get(args, "name");

    if (!pool || !(xml = vol_build_xml(ctl, pool, args)))
        return FALSE;
    if (cli_args_has(args, "print-xml")) {
        printf("%s", xml);
        return TRUE;
    }
    if (!(vol = mv_storage_vol_create_xml(pool, xml, vol_create_flags(args)))) {
        cli_fail("Failed to create vol %s", name);
        return FALSE;
    }
    cli_print_extra(ctl, "Vol %s created\n", name);
    return TRUE;
}

static gboolean
cmd_vol_create_from(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    const char *file = cli_args_get(args, "file");
    g_autoptr(MvStorageVol) input = NULL;
    g_autoptr(MvStorageVol) vol = NULL;
    g_autofree char *xml = NULL;

    if (!pool || !(input = cli_lookup_vol(ctl, args, "vol", "inputpool")) ||
        !(xml = cli_read_file(file)))
        return FALSE;
    if (!(vol = mv_storage_vol_create_xml_from(pool, xml, input, vol_create_flags(args)))) {
        cli_fail("Failed to create vol from %s", file);
        return FALSE;
    }
    cli_print_extra(ctl, "Vol %s created from input vol %s\n", mv_storage_vol_get_name(vol),
           mv_storage_vol_get_name(input));
    return TRUE;
}

/* @xml with single-quoted attribute values double-quoted and no final
 * newline: how virsh's XML library writes a document back. */
static char *
vol_clone_requote(const char *xml)
{
    GString *out = g_string_new(NULL);
    gboolean in_tag = FALSE;

    for (const char *p = xml; *p; p++) {
        if (*p == '<')
            in_tag = TRUE;
        else if (*p == '>')
            in_tag = FALSE;
        if (in_tag && *p == '\'' && p > xml && p[-1] == '=') {
            const char *close = strchr(p + 1, '\'');

            if (close && !memchr(p + 1, '"', close - p - 1)) {
                g_string_append_c(out, '"');
                g_string_append_len(out, p + 1, close - p - 1);
                g_string_append_c(out, '"');
                p = close;
                continue;
            }
        }
        g_string_append_c(out, *p);
    }
    while (out->len > 0 && out->str[out->len - 1] == '\n')
        g_string_truncate(out, out->len - 1);
    return g_string_free(out, FALSE);
}

/* @xml with the volume's <name> set to @name. */
static char *
vol_clone_xml(const char *xml, const char *name)
{
    const char *start = strstr(xml, "<name>");
    const char *end = start ? strstr(start, "</name>") : NULL;
    g_autofree char *esc = g_markup_escape_text(name, -1);
    g_autofree char *renamed = NULL;

    if (!end)
        return NULL;
    renamed = g_strdup_printf("%.*s<name>%s%s", (int)(start - xml), xml, esc, end);
    return vol_clone_requote(renamed);
}

static gboolean
cmd_vol_clone(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) orig = cli_lookup_vol(ctl, args, "vol", "pool");
    g_autoptr(MvStoragePool) pool = NULL;
    g_autoptr(MvStorageVol) vol = NULL;
    g_autofree char *origxml = NULL;
    g_autofree char *xml = NULL;
    const char *name = cli_args_get(args, "newname");

    if (!orig)
        return FALSE;
    if (!(pool = mv_storage_pool_lookup_by_volume(orig))) {
        cli_fail("failed to get parent pool");
        return FALSE;
    }
    if (!(origxml = mv_storage_vol_get_xml_desc(orig, 0)) ||
        !(xml = vol_clone_xml(origxml, name))) {
        cli_fail("Failed to clone vol from %s", mv_storage_vol_get_name(orig));
        return FALSE;
    }
    if (cli_args_has(args, "print-xml")) {
        printf("%s", xml);
        return TRUE;
    }
    if (!(vol = mv_storage_vol_create_xml_from(pool, xml, orig, vol_create_flags(args)))) {
        cli_fail("Failed to clone vol from %s", mv_storage_vol_get_name(orig));
        return FALSE;
    }
    cli_print_extra(ctl, "Vol %s cloned from %s\n", mv_storage_vol_get_name(vol),
           mv_storage_vol_get_name(orig));
    return TRUE;
}

/* ---- deletion, wipe, resize ------------------------------------------------------------------ */

static gboolean
cmd_vol_delete(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = cli_lookup_vol(ctl, args, "vol", "pool");
    unsigned int flags = 0;

    if (!vol)
        return FALSE;
    if (cli_args_has(args, "delete-snapshots"))
        flags |= MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS;
    if (mv_storage_vol_delete(vol, flags) < 0) {
        cli_fail("Failed to delete vol %s", cli_args_get(args, "vol"));
        return FALSE;
    }
    cli_print_extra(ctl, "Vol %s deleted\n", cli_args_get(args, "vol"));
    return TRUE;
}

static const char *const wipe_algorithms[] = {
    "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33", "random",
    "trim",
};

static gboolean
cmd_vol_wipe(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = NULL;
    const char *alg = cli_args_get(args, "algorithm");
    guint a = 0;
    int r;

    if (alg) {
        for (a = 0; a < G_N_ELEMENTS(wipe_algorithms); a++) {
            if (g_str_equal(alg, wipe_algorithms[a]))
                break;
        }
        if (a == G_N_ELEMENTS(wipe_algorithms)) {
            cli_error("Unsupported algorithm '%s'", alg);
            return FALSE;
        }
    }
    if (!(vol = cli_lookup_vol(ctl, args, "vol", "pool")))
        return FALSE;
    r = alg ? mv_storage_vol_wipe_pattern(vol, a, 0) : mv_storage_vol_wipe(vol, 0);
    if (r < 0) {
        cli_fail("Failed to wipe vol %s", cli_args_get(args, "vol"));
        return FALSE;
    }
    cli_print_extra(ctl, "Vol %s wiped\n", cli_args_get(args, "vol"));
    return TRUE;
}

static gboolean
cmd_vol_resize(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = NULL;
    const char *capstr = cli_args_get(args, "capacity");
    gboolean delta = cli_args_has(args, "delta");
    unsigned long long capacity;
    unsigned int flags = 0;

    if (cli_args_has(args, "allocate"))
        flags |= MV_STORAGE_VOL_RESIZE_ALLOCATE;
    if (cli_args_has(args, "shrink"))
        flags |= MV_STORAGE_VOL_RESIZE_SHRINK;
    if (!(vol = cli_lookup_vol(ctl, args, "vol", "pool")))
        return FALSE;
    while (*capstr == ' ')
        capstr++;
    if (*capstr == '-') {
        if (!cli_args_has(args, "shrink")) {
            cli_error("negative size requires --shrink");
            return FALSE;
        }
        capstr++;
        delta = TRUE;
    }
    if (delta)
        flags |= MV_STORAGE_VOL_RESIZE_DELTA;
    if (!cli_parse_size(capstr, &capacity))
        return FALSE;
    if (mv_storage_vol_resize(vol, capacity, flags) < 0) {
        cli_fail("Failed to change size of volume '%s' %s %s", mv_storage_vol_get_name(vol),
                 delta ? "by" : "to", capstr);
        return FALSE;
    }
    cli_print_extra(ctl, "Size of volume '%s' successfully changed %s %s\n", mv_storage_vol_get_name(vol),
           delta ? "by" : "to", capstr);
    return TRUE;
}

/* ---- upload and download ------------------------------------------------------------------------ */

/* Send @len bytes of @fd from its current position. */
static gboolean
vol_send_data(MvStream *st, int fd, unsigned long long len, CliProgress *prog)
{
    g_autofree char *buf = g_malloc(VOL_CHUNK);

    while (len > 0) {
        ssize_t n = read(fd, buf, MIN(len, (unsigned long long)VOL_CHUNK));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot read file: %s", g_strerror(errno));
            return FALSE;
        }
        if (n == 0)
            return TRUE;
        if (mv_stream_send(st, buf, n) < 0)
            return FALSE;
        cli_progress_add(prog, n);
        len -= n;
    }
    return TRUE;
}

/* A sparse upload: data segments as data, holes as holes, up to @end. */
static gboolean
vol_send_sparse(MvStream *st, int fd, off_t pos, off_t end, CliProgress *prog)
{
    while (pos < end) {
        off_t data = lseek(fd, pos, SEEK_DATA);
        off_t hole;

        if (data < 0 || data > end)
            data = end;
        if (data > pos) {
            if (mv_stream_send_hole(st, data - pos, 0) < 0)
                return FALSE;
            cli_progress_add(prog, data - pos);
            pos = data;
            continue;
        }
        hole = lseek(fd, pos, SEEK_HOLE);
        if (hole < 0 || hole > end)
            hole = end;
        if (lseek(fd, pos, SEEK_SET) < 0 || !vol_send_data(st, fd, hole - pos, prog))
            return FALSE;
        pos = hole;
    }
    return TRUE;
}

static gboolean
vol_get_offsets(const CliArgs *args, unsigned long long *offset, unsigned long long *length)
{
    *offset = 0;
    *length = 0;
    return cli_args_get_ullong(args, "offset", offset) &&
           cli_args_get_ullong(args, "length", length);
}

static gboolean
vol_upload_run(CliCtl *ctl, MvStorageVol *vol, MvStream *st, int fd, const CliArgs *args)
{
    gboolean sparse = cli_args_has(args, "sparse");
    unsigned long long offset;
    unsigned long long length;
    unsigned long long total;
    CliProgress prog;
    struct stat sb;
    gboolean ok;

    if (!vol_get_offsets(args, &offset, &length) || fstat(fd, &sb) < 0)
        return FALSE;
    total = length ? MIN(length, (unsigned long long)sb.st_size) : (unsigned long long)sb.st_size;
    if (mv_storage_vol_upload(vol, st, offset, length,
                              sparse ? MV_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0) < 0)
        return FALSE;
    cli_progress_init(&prog, "Uploading", total, cli_args_has(args, "progress"));
    if (sparse)
        ok = vol_send_sparse(st, fd, 0, total, &prog);
    else
        ok = vol_send_data(st, fd, total, &prog);
    cli_progress_done(&prog);
    if (!ok) {
        mv_stream_abort(st);
        return FALSE;
    }
    return mv_stream_finish(st) == 0;
}

static gboolean
cmd_vol_upload(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = NULL;
    g_autoptr(MvStream) st = NULL;
    const char *file = cli_args_get(args, "file");
    unsigned long long offset;
    unsigned long long length;
    gboolean ok;
    int fd;

    if (!vol_get_offsets(args, &offset, &length) || !(vol = cli_lookup_vol(ctl, args, "vol",
                                                                           "pool")))
        return FALSE;
    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
        cli_error("cannot read %s", file);
        return FALSE;
    }
    st = mv_stream_new(ctl->conn, 0);
    ok = st && vol_upload_run(ctl, vol, st, fd, args);
    close(fd);
    if (!ok)
        cli_fail("cannot upload to volume %s", cli_args_get(args, "vol"));
    return ok;
}

/* Write all of @buf; FALSE on error. */
static gboolean
vol_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot write file: %s", g_strerror(errno));
            return FALSE;
        }
        buf += n;
        len -= n;
    }
    return TRUE;
}

/* Receive into @fd; holes (sparse) become seeks, so they stay holes. */
static gboolean
vol_recv_loop(MvStream *st, int fd, gboolean sparse, CliProgress *prog)
{
    g_autofree char *buf = g_malloc(VOL_CHUNK);
    gboolean seeked = FALSE;

    for (;;) {
        int n = mv_stream_recv_flags(st, buf, VOL_CHUNK,
                                     sparse ? MV_STREAM_RECV_STOP_AT_HOLE : 0);
        long long hole = 0;

        if (n == -3) {
            if (mv_stream_recv_hole(st, &hole, 0) < 0 || lseek(fd, hole, SEEK_CUR) < 0)
                return FALSE;
            cli_progress_add(prog, hole);
            seeked = TRUE;
            continue;
        }
        if (n < 0)
            return FALSE;
        if (n == 0)
            break;
        if (!vol_write_all(fd, buf, n))
            return FALSE;
        cli_progress_add(prog, n);
        seeked = FALSE;
    }
    /* A trailing hole only moved the offset: make the file that long. */
    if (seeked && ftruncate(fd, lseek(fd, 0, SEEK_CUR)) < 0)
        return FALSE;
    return TRUE;
}

static gboolean
vol_download_run(CliCtl *ctl, MvStorageVol *vol, MvStream *st, int fd, const CliArgs *args)
{
    gboolean sparse = cli_args_has(args, "sparse");
    gboolean forced = cli_args_has(args, "progress");
    unsigned long long offset;
    unsigned long long length;
    unsigned long long total;
    MvStorageVolInfo info;
    CliProgress prog;

    if (!vol_get_offsets(args, &offset, &length))
        return FALSE;
    total = length;
    cli_progress_init(&prog, "Downloading", 0, forced);
    if (prog.enabled && !total && mv_storage_vol_get_info(vol, &info) == 0)
        total = info.capacity > offset ? info.capacity - offset : 0;
    prog.total = total;
    if (mv_storage_vol_download(vol, st, offset, length,
                                sparse ? MV_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0) < 0)
        return FALSE;
    if (!vol_recv_loop(st, fd, sparse, &prog)) {
        cli_progress_done(&prog);
        mv_stream_abort(st);
        return FALSE;
    }
    cli_progress_done(&prog);
    return mv_stream_finish(st) == 0;
}

static gboolean
cmd_vol_download(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStorageVol) vol = NULL;
    g_autoptr(MvStream) st = NULL;
    const char *file = cli_args_get(args, "file");
    gboolean created = TRUE;
    unsigned long long offset;
    unsigned long long length;
    gboolean ok;
    int fd;

    if (!vol_get_offsets(args, &offset, &length) || !(vol = cli_lookup_vol(ctl, args, "vol",
                                                                           "pool")))
        return FALSE;
    fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        created = FALSE;
        fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC, 0666);
    }
    if (fd < 0) {
        cli_error("cannot create %s", file);
        return FALSE;
    }
    st = mv_stream_new(ctl->conn, 0);
    ok = st && vol_download_run(ctl, vol, st, fd, args);
    if (close(fd) < 0)
        ok = FALSE;
    if (!ok) {
        cli_fail("cannot download from volume %s", cli_args_get(args, "vol"));
        if (created)
            unlink(file);
    }
    return ok;
}

/* ---- the table ------------------------------------------------------------------------------------ */

#define OPT_VOL { "vol", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, \
                  "vol name, key or path" }
#define OPT_POOL_OPTIONAL { "pool", CLI_OPT_STRING, 0, "pool name or uuid" }
#define OPT_POOL_REQUIRED { "pool", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, \
                            "pool name or uuid" }

static const CliOpt opts_vol_list[] = {
    OPT_POOL_REQUIRED,
    { "details", CLI_OPT_BOOL, 0, "display extended details for volumes" },
    { NULL }
};

static const CliOpt opts_vol[] = {
    OPT_VOL,
    OPT_POOL_OPTIONAL,
    { NULL }
};

static const CliOpt opts_vol_name[] = {
    { "vol", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "volume key or path" },
    { NULL }
};

static const CliOpt opts_vol_pool[] = {
    { "vol", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "volume key or path" },
    { "uuid", CLI_OPT_BOOL, 0, "return the pool uuid rather than pool name" },
    { NULL }
};

static const CliOpt opts_vol_dumpxml[] = {
    OPT_VOL,
    OPT_POOL_OPTIONAL,
    { "xpath", CLI_OPT_STRING, CLI_OPT_NAMED, "xpath expression to filter the XML document" },
    { "wrap", CLI_OPT_BOOL, 0, "wrap xpath results in an common root element" },
    { NULL }
};

static const CliOpt opts_vol_info[] = {
    OPT_VOL,
    OPT_POOL_OPTIONAL,
    { "bytes", CLI_OPT_BOOL, 0, "sizes are represented in bytes rather than pretty units" },
    { "physical", CLI_OPT_BOOL, 0, "return the physical size of the volume in allocation field" },
    { NULL }
};

static const CliOpt opts_vol_create[] = {
    OPT_POOL_REQUIRED,
    { "file", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "file containing an XML vol description" },
    { "prealloc-metadata", CLI_OPT_BOOL, 0, "preallocate metadata (for qcow2 instead of full "
      "allocation)" },
    { "validate", CLI_OPT_BOOL, 0, "validate the XML against the schema" },
    { NULL }
};

static const CliOpt opts_vol_create_as[] = {
    OPT_POOL_REQUIRED,
    { "name", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "name of the volume" },
    { "capacity", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "size of the vol, as scaled integer (default bytes)" },
    { "allocation", CLI_OPT_STRING, 0, "initial allocation size, as scaled integer (default "
      "bytes)" },
    { "format", CLI_OPT_STRING, 0, "file format type raw,bochs,qcow,qcow2,qed,vmdk" },
    { "backing-vol", CLI_OPT_STRING, 0, "the backing volume if taking a snapshot" },
    { "backing-vol-format", CLI_OPT_STRING, 0, "format of backing volume if taking a snapshot" },
    { "prealloc-metadata", CLI_OPT_BOOL, 0, "preallocate metadata (for qcow2 instead of full "
      "allocation)" },
    { "print-xml", CLI_OPT_BOOL, 0, "print XML document, but don't define/create" },
    { NULL }
};

static const CliOpt opts_vol_create_from[] = {
    OPT_POOL_REQUIRED,
    { "file", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "file containing an XML vol description" },
    OPT_VOL,
    { "inputpool", CLI_OPT_STRING, 0, "pool name or uuid of the input volume's pool" },
    { "prealloc-metadata", CLI_OPT_BOOL, 0, "preallocate metadata (for qcow2 instead of full "
      "allocation)" },
    { "reflink", CLI_OPT_BOOL, 0, "use btrfs COW lightweight copy" },
    { "validate", CLI_OPT_BOOL, 0, "validate the XML against the schema" },
    { NULL }
};

static const CliOpt opts_vol_clone[] = {
    OPT_VOL,
    { "newname", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "clone name" },
    OPT_POOL_OPTIONAL,
    { "prealloc-metadata", CLI_OPT_BOOL, 0, "preallocate metadata (for qcow2 instead of full "
      "allocation)" },
    { "reflink", CLI_OPT_BOOL, 0, "use btrfs COW lightweight copy" },
    { "print-xml", CLI_OPT_BOOL, 0, "print XML document rather than clone the volume" },
    { NULL }
};

static const CliOpt opts_vol_delete[] = {
    OPT_VOL,
    OPT_POOL_OPTIONAL,
    { "delete-snapshots", CLI_OPT_BOOL, 0, "delete snapshots associated with volume (must be "
      "supported by storage driver)" },
    { NULL }
};

static const CliOpt opts_vol_wipe[] = {
    OPT_VOL,
    OPT_POOL_OPTIONAL,
    { "algorithm", CLI_OPT_STRING, 0, "perform selected wiping algorithm" },
    { NULL }
};

static const CliOpt opts_vol_resize[] = {
    OPT_VOL,
    { "capacity", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "new capacity for the vol, as scaled integer (default bytes)" },
    OPT_POOL_OPTIONAL,
    { "allocate", CLI_OPT_BOOL, 0, "allocate the new capacity, rather than leaving it sparse" },
    { "delta", CLI_OPT_BOOL, 0, "use capacity as a delta to current size, rather than the new "
      "size" },
    { "shrink", CLI_OPT_BOOL, 0, "allow the resize to shrink the volume" },
    { NULL }
};

static const CliOpt opts_vol_transfer[] = {
    OPT_VOL,
    { "file", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "file" },
    OPT_POOL_OPTIONAL,
    { "offset", CLI_OPT_STRING, 0, "volume offset to start at" },
    { "length", CLI_OPT_STRING, 0, "amount of data to transfer" },
    { "sparse", CLI_OPT_BOOL, 0, "preserve sparseness of volume" },
    { "progress", CLI_OPT_BOOL, 0, "show a progress bar even when stderr is not a terminal" },
    { NULL }
};

const CliCmd cli_volume_cmds[] = {
    { "vol-clone", cmd_vol_clone, opts_vol_clone, "clone a volume.", 0 },
    { "vol-create", cmd_vol_create, opts_vol_create, "create a vol from an XML file", 0 },
    { "vol-create-as", cmd_vol_create_as, opts_vol_create_as, "create a volume from a set of args",
      0 },
    { "vol-create-from", cmd_vol_create_from, opts_vol_create_from,
      "create a vol, using another volume as input", 0 },
    { "vol-delete", cmd_vol_delete, opts_vol_delete, "delete a vol", 0 },
    { "vol-download", cmd_vol_download, opts_vol_transfer, "download volume contents to a file",
      0 },
    { "vol-dumpxml", cmd_vol_dumpxml, opts_vol_dumpxml, "vol information in XML", 0 },
    { "vol-info", cmd_vol_info, opts_vol_info, "storage vol information", 0 },
    { "vol-key", cmd_vol_key, opts_vol, "returns the volume key for a given volume name or path",
      0 },
    { "vol-list", cmd_vol_list, opts_vol_list, "list vols", 0 },
    { "vol-name", cmd_vol_name, opts_vol_name,
      "returns the volume name for a given volume key or path", 0 },
    { "vol-path", cmd_vol_path, opts_vol, "returns the volume path for a given volume name or key",
      0 },
    { "vol-pool", cmd_vol_pool, opts_vol_pool,
      "returns the storage pool for a given volume key or path", 0 },
    { "vol-resize", cmd_vol_resize, opts_vol_resize, "resize a vol", 0 },
    { "vol-upload", cmd_vol_upload, opts_vol_transfer, "upload file contents to a volume", 0 },
    { "vol-wipe", cmd_vol_wipe, opts_vol_wipe, "wipe a vol", 0 },
    { NULL }
};
