/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-storage.c: mvsh's storage pool commands, with virsh's names, options
 * and output.  `pool-list` asks for the pool list once per property it
 * shows (active, autostart, persistent) instead of once per pool.
 */
#include <config.h>

#include <string.h>

#include "cli/cli-util.h"

static const char *const pool_state_names[] = {
    "inactive", "building", "running", "degraded", "inaccessible",
};

static const char *
pool_state_to_string(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(pool_state_names))
        return "unknown";
    return pool_state_names[state];
}

static const char *const pool_type_names[] = {
    "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd", "sheepdog",
    "gluster", "zfs", "vstorage", "iscsi-direct",
};

/* ---- pool-list ------------------------------------------------------------------- */

static int
pool_compare(gconstpointer a, gconstpointer b)
{
    MvStoragePool *pa = *(MvStoragePool *const *)a;
    MvStoragePool *pb = *(MvStoragePool *const *)b;

    return g_ascii_strcasecmp(mv_storage_pool_get_name(pa), mv_storage_pool_get_name(pb));
}

/* The UUIDs of the pools passing @flags, or NULL (error recorded). */
static GHashTable *
pool_uuid_set(CliCtl *ctl, unsigned int flags)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    MvStoragePool **pools = NULL;
    int n = mv_connect_list_all_storage_pools(ctl->conn, &pools, flags);

    if (n < 0) {
        g_hash_table_unref(set);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        char uuid[MV_UUID_STRING_BUFLEN];

        mv_storage_pool_get_uuid_string(pools[i], uuid);
        g_hash_table_add(set, g_strdup(uuid));
        mv_storage_pool_free(pools[i]);
    }
    g_free(pools);
    return set;
}

static gboolean
pool_in_set(GHashTable *set, MvStoragePool *pool)
{
    char uuid[MV_UUID_STRING_BUFLEN];

    mv_storage_pool_get_uuid_string(pool, uuid);
    return g_hash_table_contains(set, uuid);
}

/* --type dir,logical...: FALSE (error printed) for an unknown type. */
static gboolean
pool_list_type_flags(const CliArgs *args, unsigned int *flags)
{
    const char *types = cli_args_get(args, "type");
    g_auto(GStrv) parts = NULL;

    if (!types)
        return TRUE;
    parts = g_strsplit(types, ",", -1);
    for (char **p = parts; *p; p++) {
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(pool_type_names); i++) {
            if (g_str_equal(*p, pool_type_names[i]))
                break;
        }
        if (i == G_N_ELEMENTS(pool_type_names)) {
            cli_error("Invalid pool type '%s'", *p);
            return FALSE;
        }
        *flags |= MV_CONNECT_LIST_STORAGE_POOLS_DIR << i;
    }
    return TRUE;
}

static gboolean
pool_list_flags(const CliArgs *args, unsigned int *flags)
{
    *flags = MV_CONNECT_LIST_STORAGE_POOLS_ACTIVE;
    if (cli_args_has(args, "inactive"))
        *flags = MV_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
    if (cli_args_has(args, "all"))
        *flags = MV_CONNECT_LIST_STORAGE_POOLS_ACTIVE | MV_CONNECT_LIST_STORAGE_POOLS_INACTIVE;
    if (cli_args_has(args, "persistent"))
        *flags |= MV_CONNECT_LIST_STORAGE_POOLS_PERSISTENT;
    if (cli_args_has(args, "transient"))
        *flags |= MV_CONNECT_LIST_STORAGE_POOLS_TRANSIENT;
    if (cli_args_has(args, "autostart"))
        *flags |= MV_CONNECT_LIST_STORAGE_POOLS_AUTOSTART;
    if (cli_args_has(args, "no-autostart"))
        *flags |= MV_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART;
    return pool_list_type_flags(args, flags);
}

static void
pool_list_plain(GPtrArray *pools, gboolean uuid, gboolean name)
{
    for (guint i = 0; i < pools->len; i++) {
        MvStoragePool *pool = g_ptr_array_index(pools, i);
        char buf[MV_UUID_STRING_BUFLEN];

        mv_storage_pool_get_uuid_string(pool, buf);
        if (uuid && name)
            printf("%-36s %-20s\n", buf, mv_storage_pool_get_name(pool));
        else if (uuid)
            printf("%-36s\n", buf);
        else
            printf("%-20s\n", mv_storage_pool_get_name(pool));
    }
}

/* One --details row: the pool's info, which costs one call per pool. */
static void
pool_list_details_row(CliTable *table, MvStoragePool *pool, const char *autostart,
                      const char *persistent)
{
    MvStoragePoolInfo info;
    g_autofree char *cap = NULL;
    g_autofree char *alloc = NULL;
    g_autofree char *avail = NULL;
    const char *state = "unknown";

    if (mv_storage_pool_get_info(pool, &info) == 0) {
        state = pool_state_to_string(info.state);
        if (info.state == MV_STORAGE_POOL_RUNNING || info.state == MV_STORAGE_POOL_DEGRADED) {
            cap = cli_format_capacity(info.capacity);
            alloc = cli_format_capacity(info.allocation);
            avail = cli_format_capacity(info.available);
        }
    }
    cli_table_add_row(table, mv_storage_pool_get_name(pool), state, autostart, persistent,
                      cap ? cap : "-", alloc ? alloc : "-", avail ? avail : "-", NULL);
}

static gboolean
pool_list_table(CliCtl *ctl, GPtrArray *pools, gboolean details)
{
    g_autoptr(GHashTable) active = pool_uuid_set(ctl, MV_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    g_autoptr(GHashTable) autostart = pool_uuid_set(ctl, MV_CONNECT_LIST_STORAGE_POOLS_AUTOSTART);
    g_autoptr(GHashTable) persistent = NULL;
    g_autoptr(CliTable) table = NULL;

    if (!active || !autostart ||
        (details && !(persistent = pool_uuid_set(ctl,
                                                 MV_CONNECT_LIST_STORAGE_POOLS_PERSISTENT)))) {
        cli_fail("Failed to list pools");
        return FALSE;
    }
    if (details)
        table = cli_table_new("Name", "State", "Autostart", "Persistent", "Capacity",
                              "Allocation", "Available", NULL);
    else
        table = cli_table_new("Name", "State", "Autostart", NULL);
    for (guint i = 0; i < pools->len; i++) {
        MvStoragePool *pool = g_ptr_array_index(pools, i);
        const char *as = pool_in_set(autostart, pool) ? "yes" : "no";

        if (details)
            pool_list_details_row(table, pool, as, pool_in_set(persistent, pool) ? "yes" : "no");
        else
            cli_table_add_row(table, mv_storage_pool_get_name(pool),
                              pool_in_set(active, pool) ? "active" : "inactive", as, NULL);
    }
    cli_table_print(table, stdout, !ctl->quiet);
    return TRUE;
}

static gboolean
cmd_pool_list(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(cli_pool_unref);
    gboolean uuid = cli_args_has(args, "uuid");
    gboolean name = cli_args_has(args, "name");
    MvStoragePool **pools = NULL;
    unsigned int flags;
    int n;

    if (!pool_list_flags(args, &flags))
        return FALSE;
    if (cli_args_has(args, "details") && (uuid || name)) {
        cli_error("Options --details and --%s are mutually exclusive", uuid ? "uuid" : "name");
        return FALSE;
    }
    if ((n = mv_connect_list_all_storage_pools(ctl->conn, &pools, flags)) < 0) {
        cli_fail("Failed to list pools");
        return FALSE;
    }
    for (int i = 0; i < n; i++)
        g_ptr_array_add(list, pools[i]);
    g_free(pools);
    g_ptr_array_sort(list, pool_compare);
    if (uuid || name) {
        pool_list_plain(list, uuid, name);
        return TRUE;
    }
    return pool_list_table(ctl, list, cli_args_has(args, "details"));
}

/* ---- pool-info ---------------------------------------------------------------------- */

static void
pool_info_size(const char *label, unsigned long long v, gboolean bytes)
{
    g_autofree char *s = bytes ? g_strdup_printf("%llu", v) : cli_format_capacity(v);

    printf("%-15s %s\n", label, s);
}

static gboolean
cmd_pool_info(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    gboolean bytes = cli_args_has(args, "bytes");
    char uuid[MV_UUID_STRING_BUFLEN];
    MvStoragePoolInfo info;
    int persistent;
    int autostart;

    if (!pool)
        return FALSE;
    printf("%-15s %s\n", "Name:", mv_storage_pool_get_name(pool));
    mv_storage_pool_get_uuid_string(pool, uuid);
    printf("%-15s %s\n", "UUID:", uuid);
    if (mv_storage_pool_get_info(pool, &info) < 0) {
        cli_report_error(NULL);
        return FALSE;
    }
    printf("%-15s %s\n", "State:", pool_state_to_string(info.state));
    persistent = mv_storage_pool_is_persistent(pool);
    printf("%-15s %s\n", "Persistent:", persistent < 0 ? "unknown" : persistent ? "yes" : "no");
    if (mv_storage_pool_get_autostart(pool, &autostart) < 0)
        printf("%-15s %s\n", "Autostart:", "no autostart");
    else
        printf("%-15s %s\n", "Autostart:", autostart ? "yes" : "no");
    if (info.state == MV_STORAGE_POOL_RUNNING || info.state == MV_STORAGE_POOL_DEGRADED) {
        pool_info_size("Capacity:", info.capacity, bytes);
        pool_info_size("Allocation:", info.allocation, bytes);
        pool_info_size("Available:", info.available, bytes);
    }
    return TRUE;
}

/* ---- define, create ------------------------------------------------------------------ */

static gboolean
cmd_pool_define(CliCtl *ctl, const CliArgs *args)
{
    const char *file = cli_args_get(args, "file");
    g_autofree char *xml = cli_read_file(file);
    g_autoptr(MvStoragePool) pool = NULL;
    unsigned int flags = cli_args_has(args, "validate") ? MV_STORAGE_POOL_DEFINE_VALIDATE : 0;

    if (!xml)
        return FALSE;
    if (!(pool = mv_storage_pool_define_xml(ctl->conn, xml, flags))) {
        cli_fail("Failed to define pool from %s", file);
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s defined from %s\n", mv_storage_pool_get_name(pool), file);
    return TRUE;
}

static unsigned int
pool_create_flags(const CliArgs *args)
{
    unsigned int flags = 0;

    if (cli_args_has(args, "build"))
        flags |= MV_STORAGE_POOL_CREATE_WITH_BUILD;
    if (cli_args_has(args, "overwrite"))
        flags |= MV_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE;
    if (cli_args_has(args, "no-overwrite"))
        flags |= MV_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;
    return flags;
}

/* pool-create(-as) and pool-start: not both (pool-build sends both). */
static gboolean
pool_overwrite_exclusive(const CliArgs *args)
{
    if (cli_args_has(args, "overwrite") && cli_args_has(args, "no-overwrite")) {
        cli_error("Options --overwrite and --no-overwrite are mutually exclusive");
        return FALSE;
    }
    return TRUE;
}

static gboolean
cmd_pool_create(CliCtl *ctl, const CliArgs *args)
{
    const char *file = cli_args_get(args, "file");
    g_autofree char *xml = NULL;
    g_autoptr(MvStoragePool) pool = NULL;

    if (!pool_overwrite_exclusive(args) || !(xml = cli_read_file(file)))
        return FALSE;
    if (!(pool = mv_storage_pool_create_xml(ctl->conn, xml, pool_create_flags(args)))) {
        cli_fail("Failed to create pool from %s", file);
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s created from %s\n", mv_storage_pool_get_name(pool), file);
    return TRUE;
}

static void
pool_xml_attr(GString *xml, const char *fmt, const char *value)
{
    g_autofree char *esc = g_markup_escape_text(value, -1);

    g_string_append_printf(xml, fmt, esc);
}

/* The <source> of pool-define-as, as virsh writes it. */
static void
pool_xml_source(GString *xml, const CliArgs *args)
{
    const char *host = cli_args_get(args, "source-host");
    const char *auth = cli_args_get(args, "auth-type");
    const char *v;

    g_string_append(xml, "  <source>\n");
    if (host)
        pool_xml_attr(xml, "    <host name='%s'/>\n", host);
    if ((v = cli_args_get(args, "source-path")))
        pool_xml_attr(xml, "    <dir path='%s'/>\n", v);
    if ((v = cli_args_get(args, "source-dev")))
        pool_xml_attr(xml, "    <device path='%s'/>\n", v);
    if ((v = cli_args_get(args, "source-initiator"))) {
        g_string_append(xml, "    <initiator>\n");
        pool_xml_attr(xml, "      <iqn name='%s'/>\n", v);
        g_string_append(xml, "    </initiator>\n");
    }
    if ((v = cli_args_get(args, "adapter-name")))
        pool_xml_attr(xml, "    <adapter type='scsi_host' name='%s'/>\n", v);
    if (auth) {
        pool_xml_attr(xml, "    <auth type='%s'", auth);
        pool_xml_attr(xml, " username='%s'>\n", cli_args_get(args, "auth-username"));
        if ((v = cli_args_get(args, "secret-usage")))
            pool_xml_attr(xml, "      <secret usage='%s'/>\n", v);
        else
            pool_xml_attr(xml, "      <secret uuid='%s'/>\n", cli_args_get(args, "secret-uuid"));
        g_string_append(xml, "    </auth>\n");
    }
    if ((v = cli_args_get(args, "source-format")))
        pool_xml_attr(xml, "    <format type='%s'/>\n", v);
    if ((v = cli_args_get(args, "source-name")))
        pool_xml_attr(xml, "    <name>%s</name>\n", v);
    if ((v = cli_args_get(args, "source-protocol-ver")))
        pool_xml_attr(xml, "    <protocol ver='%s'/>\n", v);
    g_string_append(xml, "  </source>\n");
}

static char *
pool_build_xml(const CliArgs *args)
{
    static const char *const source_opts[] = {
        "source-host", "source-path", "source-dev", "source-name", "source-format",
        "source-initiator", "adapter-name", "auth-type", "source-protocol-ver",
    };
    GString *xml = g_string_new(NULL);
    const char *target = cli_args_get(args, "target");
    gboolean source = FALSE;

    if (cli_args_has(args, "auth-type") && (!cli_args_has(args, "auth-username") ||
        (!cli_args_has(args, "secret-usage") && !cli_args_has(args, "secret-uuid")))) {
        cli_error("Either --secret-usage or --secret-uuid with --auth-username must be used");
        g_string_free(xml, TRUE);
        return NULL;
    }
    pool_xml_attr(xml, "<pool type='%s'>\n", cli_args_get(args, "type"));
    pool_xml_attr(xml, "  <name>%s</name>\n", cli_args_get(args, "name"));
    for (size_t i = 0; i < G_N_ELEMENTS(source_opts); i++)
        source |= cli_args_has(args, source_opts[i]);
    if (source)
        pool_xml_source(xml, args);
    if (target) {
        g_string_append(xml, "  <target>\n");
        pool_xml_attr(xml, "    <path>%s</path>\n", target);
        g_string_append(xml, "  </target>\n");
    }
    g_string_append(xml, "</pool>\n");
    return g_string_free(xml, FALSE);
}

/* pool-define-as and pool-create-as. */
static gboolean
pool_x_as(CliCtl *ctl, const CliArgs *args, gboolean create)
{
    g_autofree char *xml = NULL;
    g_autoptr(MvStoragePool) pool = NULL;
    const char *name = cli_args_get(args, "name");

    if ((create && !pool_overwrite_exclusive(args)) || !(xml = pool_build_xml(args)))
        return FALSE;
    if (cli_args_has(args, "print-xml")) {
        printf("%s", xml);
        return TRUE;
    }
    pool = create ? mv_storage_pool_create_xml(ctl->conn, xml, pool_create_flags(args))
                  : mv_storage_pool_define_xml(ctl->conn, xml, 0);
    if (!pool) {
        cli_fail("Failed to %s pool %s", create ? "create" : "define", name);
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s %s\n", name, create ? "created" : "defined");
    return TRUE;
}

static gboolean
cmd_pool_define_as(CliCtl *ctl, const CliArgs *args)
{
    return pool_x_as(ctl, args, FALSE);
}

static gboolean
cmd_pool_create_as(CliCtl *ctl, const CliArgs *args)
{
    return pool_x_as(ctl, args, TRUE);
}

/* ---- names and uuids ------------------------------------------------------------------- */

/* pool-name takes a uuid only, pool-uuid a name only, as in virsh. */
static gboolean
cmd_pool_name(CliCtl *ctl, const CliArgs *args)
{
    const char *str = cli_args_get(args, "pool");
    g_autoptr(MvStoragePool) pool = NULL;

    if (strlen(str) == MV_UUID_STRING_BUFLEN - 1)
        pool = mv_storage_pool_lookup_by_uuid_string(ctl->conn, str);
    if (!pool) {
        if (strlen(str) == MV_UUID_STRING_BUFLEN - 1)
            cli_fail("failed to get pool '%s'", str);
        else
            cli_error("failed to get pool '%s'", str);
        return FALSE;
    }
    printf("%s\n", mv_storage_pool_get_name(pool));
    return TRUE;
}

static gboolean
cmd_pool_uuid(CliCtl *ctl, const CliArgs *args)
{
    const char *str = cli_args_get(args, "pool");
    g_autoptr(MvStoragePool) pool = mv_storage_pool_lookup_by_name(ctl->conn, str);
    char uuid[MV_UUID_STRING_BUFLEN];

    if (!pool) {
        cli_fail("failed to get pool '%s'", str);
        return FALSE;
    }
    if (mv_storage_pool_get_uuid_string(pool, uuid) < 0) {
        cli_error("failed to get pool UUID");
        return FALSE;
    }
    printf("%s\n", uuid);
    return TRUE;
}

/* ---- capabilities and source discovery -------------------------------------------------- */

static gboolean
cmd_pool_capabilities(CliCtl *ctl, const CliArgs *args)
{
    g_autofree char *caps = mv_connect_get_storage_pool_capabilities(ctl->conn, 0);

    if (!caps) {
        cli_fail("failed to get storage pool capabilities");
        return FALSE;
    }
    /* virsh adds a line after the document here (as for capabilities). */
    printf("%s\n", caps);
    return TRUE;
}

static gboolean
find_sources(CliCtl *ctl, const char *type, const char *spec)
{
    g_autofree char *list = mv_connect_find_storage_pool_sources(ctl->conn, type, spec, 0);

    if (!list) {
        cli_fail("Failed to find any %s pool sources", type);
        return FALSE;
    }
    printf("%s", list);
    return TRUE;
}

static gboolean
cmd_find_sources(CliCtl *ctl, const CliArgs *args)
{
    const char *file = cli_args_get(args, "srcSpec");
    g_autofree char *spec = NULL;

    if (file && !(spec = cli_read_file(file)))
        return FALSE;
    return find_sources(ctl, cli_args_get(args, "type"), spec);
}

/* As virsh 9.0: with a host, <source><host name= [port=]/> [<initiator>],
 * the host as given ("h:3260" included). */
static gboolean
cmd_find_sources_as(CliCtl *ctl, const CliArgs *args)
{
    const char *host = cli_args_get(args, "host");
    const char *port = cli_args_get(args, "port");
    const char *initiator = cli_args_get(args, "initiator");
    g_autoptr(GString) spec = NULL;

    if (host) {
        g_autofree char *h = g_markup_printf_escaped("  <host name='%s'", host);

        spec = g_string_new("<source>\n");
        g_string_append(spec, h);
        if (port) {
            g_autofree char *p = g_markup_printf_escaped(" port='%s'", port);

            g_string_append(spec, p);
        }
        g_string_append(spec, "/>\n");
        if (initiator) {
            g_autofree char *i = g_markup_printf_escaped("    <iqn name='%s'/>\n", initiator);

            g_string_append(spec, "  <initiator>\n");
            g_string_append(spec, i);
            g_string_append(spec, "  </initiator>\n");
        }
        g_string_append(spec, "</source>\n");
    }
    return find_sources(ctl, cli_args_get(args, "type"), spec ? spec->str : NULL);
}

/* ---- actions on one pool --------------------------------------------------------------- */

static gboolean
cmd_pool_build(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    unsigned int flags = 0;

    if (!pool)
        return FALSE;
    if (cli_args_has(args, "no-overwrite"))
        flags |= MV_STORAGE_POOL_BUILD_NO_OVERWRITE;
    if (cli_args_has(args, "overwrite"))
        flags |= MV_STORAGE_POOL_BUILD_OVERWRITE;
    if (mv_storage_pool_build(pool, flags) < 0) {
        cli_fail("Failed to build pool %s", cli_args_get(args, "pool"));
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s built\n", cli_args_get(args, "pool"));
    return TRUE;
}

static gboolean
cmd_pool_start(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");

    if (!pool || !pool_overwrite_exclusive(args))
        return FALSE;
    if (mv_storage_pool_create(pool, pool_create_flags(args)) < 0) {
        cli_fail("Failed to start pool %s", cli_args_get(args, "pool"));
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s started\n", cli_args_get(args, "pool"));
    return TRUE;
}

typedef int (*PoolAction)(MvStoragePool *pool);

static int
pool_delete0(MvStoragePool *pool)
{
    return mv_storage_pool_delete(pool, 0);
}

static int
pool_refresh0(MvStoragePool *pool)
{
    return mv_storage_pool_refresh(pool, 0);
}

/* Look the pool up, run @action, print "Pool NAME @done" or the failure. */
static gboolean
pool_simple_action(CliCtl *ctl, const CliArgs *args, PoolAction action, const char *done,
                   const char *verb)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    const char *name = cli_args_get(args, "pool");

    if (!pool)
        return FALSE;
    if (action(pool) < 0) {
        cli_fail("Failed to %s pool %s", verb, name);
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s %s\n", name, done);
    return TRUE;
}

static gboolean
cmd_pool_destroy(CliCtl *ctl, const CliArgs *args)
{
    return pool_simple_action(ctl, args, mv_storage_pool_destroy, "destroyed", "destroy");
}

static gboolean
cmd_pool_delete(CliCtl *ctl, const CliArgs *args)
{
    return pool_simple_action(ctl, args, pool_delete0, "deleted", "delete");
}

static gboolean
cmd_pool_undefine(CliCtl *ctl, const CliArgs *args)
{
    return pool_simple_action(ctl, args, mv_storage_pool_undefine, "has been undefined",
                              "undefine");
}

static gboolean
cmd_pool_refresh(CliCtl *ctl, const CliArgs *args)
{
    return pool_simple_action(ctl, args, pool_refresh0, "refreshed", "refresh");
}

static gboolean
cmd_pool_autostart(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    gboolean enable = !cli_args_has(args, "disable");
    const char *name = cli_args_get(args, "pool");

    if (!pool)
        return FALSE;
    if (mv_storage_pool_set_autostart(pool, enable) < 0) {
        cli_fail("failed to %smark pool %s as autostarted", enable ? "" : "un", name);
        return FALSE;
    }
    cli_print_extra(ctl, "Pool %s %smarked as autostarted\n", name, enable ? "" : "un");
    return TRUE;
}

static gboolean
cmd_pool_dumpxml(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    g_autofree char *xml = NULL;

    if (!pool)
        return FALSE;
    xml = mv_storage_pool_get_xml_desc(pool, cli_args_has(args, "inactive")
                                             ? MV_STORAGE_XML_INACTIVE : 0);
    if (!xml) {
        cli_report_error(NULL);
        return FALSE;
    }
    return cli_print_xml(xml, args);
}

/* ---- the table ---------------------------------------------------------------------------- */

#define OPT_POOL { "pool", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, \
                   "pool name or uuid" }
#define OPT_FILE { "file", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, \
                   "file containing an XML pool description" }

static const CliOpt opts_pool_list[] = {
    { "inactive", CLI_OPT_BOOL, 0, "list inactive pools" },
    { "all", CLI_OPT_BOOL, 0, "list inactive & active pools" },
    { "transient", CLI_OPT_BOOL, 0, "list transient pools" },
    { "persistent", CLI_OPT_BOOL, 0, "list persistent pools" },
    { "autostart", CLI_OPT_BOOL, 0, "list pools with autostart enabled" },
    { "no-autostart", CLI_OPT_BOOL, 0, "list pools with autostart disabled" },
    { "type", CLI_OPT_STRING, 0, "only list pool of specified type(s) (if supported)" },
    { "details", CLI_OPT_BOOL, 0, "display extended details for pools" },
    { "uuid", CLI_OPT_BOOL, 0, "list UUID of active pools only" },
    { "name", CLI_OPT_BOOL, 0, "list name of active pools only" },
    { NULL }
};

static const CliOpt opts_pool[] = {
    OPT_POOL,
    { NULL }
};

static const CliOpt opts_pool_name[] = {
    { "pool", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "pool uuid" },
    { NULL }
};

static const CliOpt opts_pool_uuid[] = {
    { "pool", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "pool name" },
    { NULL }
};

static const CliOpt opts_pool_info[] = {
    OPT_POOL,
    { "bytes", CLI_OPT_BOOL, 0, "Return pool info in bytes" },
    { NULL }
};

static const CliOpt opts_pool_define[] = {
    OPT_FILE,
    { "validate", CLI_OPT_BOOL, 0, "validate the XML against the schema" },
    { NULL }
};

static const CliOpt opts_pool_create[] = {
    OPT_FILE,
    { "build", CLI_OPT_BOOL, 0, "build the pool as normal" },
    { "no-overwrite", CLI_OPT_BOOL, 0, "do not overwrite any existing data" },
    { "overwrite", CLI_OPT_BOOL, 0, "overwrite any existing data" },
    { NULL }
};

static const CliOpt opts_pool_start[] = {
    OPT_POOL,
    { "build", CLI_OPT_BOOL, 0, "build the pool as normal" },
    { "no-overwrite", CLI_OPT_BOOL, 0, "do not overwrite any existing data" },
    { "overwrite", CLI_OPT_BOOL, 0, "overwrite any existing data" },
    { NULL }
};

static const CliOpt opts_pool_build[] = {
    OPT_POOL,
    { "no-overwrite", CLI_OPT_BOOL, 0, "do not overwrite any existing data" },
    { "overwrite", CLI_OPT_BOOL, 0, "overwrite any existing data" },
    { NULL }
};

static const CliOpt opts_pool_autostart[] = {
    OPT_POOL,
    { "disable", CLI_OPT_BOOL, 0, "disable autostarting" },
    { NULL }
};

static const CliOpt opts_pool_dumpxml[] = {
    OPT_POOL,
    { "inactive", CLI_OPT_BOOL, 0, "show inactive defined XML" },
    { "xpath", CLI_OPT_STRING, CLI_OPT_NAMED, "xpath expression to filter the XML document" },
    { "wrap", CLI_OPT_BOOL, 0, "wrap xpath results in an common root element" },
    { NULL }
};

/* The options pool-define-as and pool-create-as share, as in virsh. */
#define OPTS_POOL_X_AS \
    { "name", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "name of the pool" }, \
    { "type", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, "type of the pool" }, \
    { "print-xml", CLI_OPT_BOOL, 0, "print XML document, but don't define/create" }, \
    { "source-host", CLI_OPT_STRING, 0, "source-host for underlying storage" }, \
    { "source-path", CLI_OPT_STRING, 0, "source path for underlying storage" }, \
    { "source-dev", CLI_OPT_STRING, 0, "source device for underlying storage" }, \
    { "source-name", CLI_OPT_STRING, 0, "source name for underlying storage" }, \
    { "target", CLI_OPT_STRING, 0, "target for underlying storage" }, \
    { "source-format", CLI_OPT_STRING, 0, "format for underlying storage" }, \
    { "auth-type", CLI_OPT_STRING, 0, "auth type to be used for underlying storage" }, \
    { "auth-username", CLI_OPT_STRING, 0, "auth username to be used for underlying storage" }, \
    { "secret-usage", CLI_OPT_STRING, 0, "auth secret usage to be used for underlying storage" }, \
    { "secret-uuid", CLI_OPT_STRING, 0, "auth secret UUID to be used for underlying storage" }, \
    { "adapter-name", CLI_OPT_STRING, 0, "adapter name to be used for underlying storage" }, \
    { "source-protocol-ver", CLI_OPT_STRING, 0, "nfsvers value for NFS pool mount option" }, \
    { "source-initiator", CLI_OPT_STRING, 0, "initiator iqn for underlying storage" },

static const CliOpt opts_pool_capabilities[] = {
    { NULL }
};

static const CliOpt opts_find_sources[] = {
    { "type", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "type of storage pool sources to discover" },
    { "srcSpec", CLI_OPT_STRING, CLI_OPT_POSITIONAL,
      "optional file of source xml to query for pools" },
    { NULL }
};

static const CliOpt opts_find_sources_as[] = {
    { "type", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "type of storage pool sources to find" },
    { "host", CLI_OPT_STRING, CLI_OPT_POSITIONAL, "optional host to query" },
    { "port", CLI_OPT_STRING, CLI_OPT_POSITIONAL, "optional port to query" },
    { "initiator", CLI_OPT_STRING, 0, "optional initiator IQN to use for query" },
    { NULL }
};

static const CliOpt opts_pool_define_as[] = {
    OPTS_POOL_X_AS
    { NULL }
};

static const CliOpt opts_pool_create_as[] = {
    OPTS_POOL_X_AS
    { "build", CLI_OPT_BOOL, 0, "build the pool as normal" },
    { "no-overwrite", CLI_OPT_BOOL, 0, "do not overwrite any existing data" },
    { "overwrite", CLI_OPT_BOOL, 0, "overwrite any existing data" },
    { NULL }
};

const CliCmd cli_storage_cmds[] = {
    { "find-storage-pool-sources", cmd_find_sources, opts_find_sources,
      "discover potential storage pool sources", 0 },
    { "find-storage-pool-sources-as", cmd_find_sources_as, opts_find_sources_as,
      "find potential storage pool sources", 0 },
    { "pool-autostart", cmd_pool_autostart, opts_pool_autostart, "autostart a pool", 0 },
    { "pool-build", cmd_pool_build, opts_pool_build, "build a pool", 0 },
    { "pool-capabilities", cmd_pool_capabilities, opts_pool_capabilities,
      "storage pool capabilities", 0 },
    { "pool-create", cmd_pool_create, opts_pool_create, "create a pool from an XML file", 0 },
    { "pool-create-as", cmd_pool_create_as, opts_pool_create_as,
      "create a pool from a set of args", 0 },
    { "pool-define", cmd_pool_define, opts_pool_define,
      "define an inactive persistent storage pool or modify an existing persistent one from "
      "an XML file", 0 },
    { "pool-define-as", cmd_pool_define_as, opts_pool_define_as,
      "define a pool from a set of args", 0 },
    { "pool-delete", cmd_pool_delete, opts_pool, "delete a pool", 0 },
    { "pool-destroy", cmd_pool_destroy, opts_pool, "destroy (stop) a pool", 0 },
    { "pool-dumpxml", cmd_pool_dumpxml, opts_pool_dumpxml, "pool information in XML", 0 },
    { "pool-edit", cli_cmd_pool_edit, opts_pool, "edit XML configuration for a storage pool",
      0 },
    { "pool-info", cmd_pool_info, opts_pool_info, "storage pool information", 0 },
    { "pool-list", cmd_pool_list, opts_pool_list, "list pools", 0 },
    { "pool-name", cmd_pool_name, opts_pool_name, "convert a pool UUID to pool name", 0 },
    { "pool-refresh", cmd_pool_refresh, opts_pool, "refresh a pool", 0 },
    { "pool-start", cmd_pool_start, opts_pool_start, "start a (previously defined) inactive pool",
      0 },
    { "pool-undefine", cmd_pool_undefine, opts_pool, "undefine an inactive pool", 0 },
    { "pool-uuid", cmd_pool_uuid, opts_pool_uuid, "convert a pool name to pool UUID", 0 },
    { NULL }
};
