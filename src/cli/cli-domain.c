/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-domain.c: mvsh's domain commands, with virsh's names, options and
 * output.  Unlike virsh, `list` costs one call whatever the number of
 * domains (CONNECT_GET_ALL_DOMAIN_STATS with the state group).
 */
#include <config.h>

#include <string.h>

#include "cli/cli-util.h"

/* ---- state names ------------------------------------------------------------ */

static const char *const state_names[] = {
    "no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed",
    "pmsuspended",
};

const char *
cli_domain_state_to_string(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(state_names))
        return "no state";
    return state_names[state];
}

static const char *const reasons_running[] = {
    "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
    "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy",
    "post-copy failed", NULL,
};
static const char *const reasons_paused[] = {
    "unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
    "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up",
    "post-copy", "post-copy failed", "api error", NULL,
};
static const char *const reasons_shutdown[] = { "unknown", "user", NULL };
static const char *const reasons_shutoff[] = {
    "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
    "from snapshot", "daemon", NULL,
};
static const char *const reasons_crashed[] = { "unknown", "panicked", NULL };
static const char *const reasons_unknown_only[] = { "unknown", NULL };

static const char *
domain_reason_to_string(int state, int reason)
{
    const char *const *table;

    switch ((MvDomainState)state) {
    case MV_DOMAIN_RUNNING:
        table = reasons_running;
        break;
    case MV_DOMAIN_PAUSED:
        table = reasons_paused;
        break;
    case MV_DOMAIN_SHUTDOWN:
        table = reasons_shutdown;
        break;
    case MV_DOMAIN_SHUTOFF:
        table = reasons_shutoff;
        break;
    case MV_DOMAIN_CRASHED:
        table = reasons_crashed;
        break;
    case MV_DOMAIN_NOSTATE:
    case MV_DOMAIN_BLOCKED:
    case MV_DOMAIN_PMSUSPENDED:
    default:
        table = reasons_unknown_only;
        break;
    }
    for (int i = 0; table[i]; i++) {
        if (i == reason)
            return table[i];
    }
    return "unknown";
}

/* ---- list ------------------------------------------------------------------------ */

typedef struct {
    MvDomain *dom;
    int state;
} ListEntry;

static void
list_entry_free(gpointer data)
{
    ListEntry *e = data;

    mv_domain_free(e->dom);
    g_free(e);
}

static int
list_entry_compare(gconstpointer a, gconstpointer b)
{
    const ListEntry *ea = *(const ListEntry *const *)a;
    const ListEntry *eb = *(const ListEntry *const *)b;
    unsigned int ia = mv_domain_get_id(ea->dom);
    unsigned int ib = mv_domain_get_id(eb->dom);
    unsigned int inactive = (unsigned int)-1;

    if (ia == inactive && ib == inactive)
        return g_ascii_strcasecmp(mv_domain_get_name(ea->dom), mv_domain_get_name(eb->dom));
    if (ia != inactive && ib != inactive)
        return ia < ib ? -1 : ia > ib;
    return ia != inactive ? -1 : 1;
}

static int
list_record_state(const MvDomainStatsRecord *rec)
{
    for (int i = 0; i < rec->nparams; i++) {
        if (g_str_equal(rec->params[i].field, "state.state") &&
            rec->params[i].type == MV_TYPED_PARAM_INT)
            return rec->params[i].value.i;
    }
    return MV_DOMAIN_NOSTATE;
}

/* Fallback for servers without CONNECT_GET_ALL_DOMAIN_STATS: what virsh
 * does, one DOMAIN_GET_STATE per domain. */
static gboolean
list_collect_slow(CliCtl *ctl, unsigned int flags, GPtrArray *out)
{
    MvDomain **doms = NULL;
    int n = mv_connect_list_all_domains(ctl->conn, &doms, flags);

    if (n < 0)
        return FALSE;
    for (int i = 0; i < n; i++) {
        ListEntry *e = g_new0(ListEntry, 1);
        int reason;

        e->dom = doms[i];
        if (mv_domain_get_state(e->dom, &e->state, &reason, 0) < 0) {
            /* Gone meanwhile. */
            list_entry_free(e);
            continue;
        }
        g_ptr_array_add(out, e);
    }
    g_free(doms);
    return TRUE;
}

/*
 * The domains passing @flags with their state.  One call when the filters
 * are among those the statistics call knows, else two.
 */
static GPtrArray *
list_collect(CliCtl *ctl, unsigned int flags)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(list_entry_free);
    MvDomainStatsRecord **recs = NULL;
    MvDomain **doms = NULL;
    int code;
    int n;

    if ((flags & ~0xffu) == 0) {
        n = mv_connect_get_all_domain_stats(ctl->conn, MV_DOMAIN_STATS_STATE, &recs, flags);
        code = cli_last_error_code();
    } else {
        n = mv_connect_list_all_domains(ctl->conn, &doms, flags);
        if (n > 0)
            n = mv_domain_list_get_stats(doms, MV_DOMAIN_STATS_STATE, &recs, 0);
        code = cli_last_error_code();
        for (MvDomain **d = doms; d && *d; d++)
            mv_domain_free(*d);
        g_free(doms);
    }
    if (n < 0 && code == MV_ERR_NO_SUPPORT) {
        mv_reset_last_error();
        if (!list_collect_slow(ctl, flags, out))
            return NULL;
    } else if (n < 0) {
        return NULL;
    }
    for (MvDomainStatsRecord **r = recs; r && *r; r++) {
        ListEntry *e = g_new0(ListEntry, 1);

        e->dom = (*r)->dom;
        mv_domain_ref(e->dom);
        e->state = list_record_state(*r);
        g_ptr_array_add(out, e);
    }
    mv_domain_stats_record_list_free(recs);
    g_ptr_array_sort(out, list_entry_compare);
    return g_steal_pointer(&out);
}

/* The <title> of @dom, "" if none.  NULL (error printed) on failure. */
static char *
list_domain_title(MvDomain *dom)
{
    g_autofree char *xml = NULL;
    char *title = mv_domain_get_metadata(dom, MV_DOMAIN_METADATA_TITLE, NULL, 0);
    const char *start;
    const char *end;

    if (title)
        return title;
    if (cli_last_error_code() == MV_ERR_NO_DOMAIN_METADATA)
        return g_strdup("");
    if (cli_last_error_code() != MV_ERR_NO_SUPPORT) {
        cli_report_error(NULL);
        return NULL;
    }
    if (!(xml = mv_domain_get_xml_desc(dom, 0))) {
        cli_report_error(NULL);
        return NULL;
    }
    start = strstr(xml, "<title>");
    end = start ? strstr(start, "</title>") : NULL;
    if (!end)
        return g_strdup("");
    start += strlen("<title>");
    return g_strndup(start, end - start);
}

static const struct {
    const char *opt;
    unsigned int flag;
} list_filters[] = {
    { "persistent", MV_CONNECT_LIST_DOMAINS_PERSISTENT },
    { "transient", MV_CONNECT_LIST_DOMAINS_TRANSIENT },
    { "with-managed-save", MV_CONNECT_LIST_DOMAINS_MANAGEDSAVE },
    { "without-managed-save", MV_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE },
    { "autostart", MV_CONNECT_LIST_DOMAINS_AUTOSTART },
    { "no-autostart", MV_CONNECT_LIST_DOMAINS_NO_AUTOSTART },
    { "with-snapshot", MV_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT },
    { "without-snapshot", MV_CONNECT_LIST_DOMAINS_NO_SNAPSHOT },
    { "with-checkpoint", MV_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT },
    { "without-checkpoint", MV_CONNECT_LIST_DOMAINS_NO_CHECKPOINT },
    { "state-running", MV_CONNECT_LIST_DOMAINS_RUNNING },
    { "state-paused", MV_CONNECT_LIST_DOMAINS_PAUSED },
    { "state-shutoff", MV_CONNECT_LIST_DOMAINS_SHUTOFF },
    { "state-other", MV_CONNECT_LIST_DOMAINS_OTHER },
};

static unsigned int
list_flags(const CliArgs *args)
{
    unsigned int flags = MV_CONNECT_LIST_DOMAINS_ACTIVE;

    if (cli_args_has(args, "inactive") || cli_args_has(args, "state-shutoff"))
        flags = MV_CONNECT_LIST_DOMAINS_INACTIVE;
    if (cli_args_has(args, "all"))
        flags = MV_CONNECT_LIST_DOMAINS_ACTIVE | MV_CONNECT_LIST_DOMAINS_INACTIVE;
    for (size_t i = 0; i < G_N_ELEMENTS(list_filters); i++) {
        if (cli_args_has(args, list_filters[i].opt))
            flags |= list_filters[i].flag;
    }
    return flags;
}

/* The one-line forms: --uuid, --id, --name in any combination. */
static void
list_print_plain(GPtrArray *list, gboolean uuid, gboolean id, gboolean name)
{
    for (guint i = 0; i < list->len; i++) {
        ListEntry *e = g_ptr_array_index(list, i);
        unsigned int domid = mv_domain_get_id(e->dom);
        char buf[MV_UUID_STRING_BUFLEN];
        const char *sep = "";

        if (uuid) {
            mv_domain_get_uuid_string(e->dom, buf);
            printf("%s", buf);
            sep = " ";
        }
        if (id) {
            if (domid == (unsigned int)-1 && !uuid && !name)
                continue;
            if (domid == (unsigned int)-1)
                printf("%s-", sep);
            else
                printf("%s%d", sep, (int)domid);
            sep = " ";
        }
        if (name)
            printf("%s%s", sep, mv_domain_get_name(e->dom));
        printf("\n");
    }
}

static gboolean
list_print_table(CliCtl *ctl, GPtrArray *list, gboolean title, gboolean managed)
{
    g_autoptr(CliTable) table = NULL;

    if (title)
        table = cli_table_new("Id", "Name", "State", "Title", NULL);
    else
        table = cli_table_new("Id", "Name", "State", NULL);
    for (guint i = 0; i < list->len; i++) {
        ListEntry *e = g_ptr_array_index(list, i);
        unsigned int domid = mv_domain_get_id(e->dom);
        g_autofree char *id = domid == (unsigned int)-1 ? g_strdup("-")
                                                         : g_strdup_printf("%d", (int)domid);
        g_autofree char *ttl = NULL;
        const char *cells[4] = { id, mv_domain_get_name(e->dom), NULL, NULL };

        cells[2] = cli_domain_state_to_string(e->state);
        if (managed && e->state == MV_DOMAIN_SHUTOFF &&
            mv_domain_has_managed_save_image(e->dom, 0) > 0)
            cells[2] = "saved";
        if (title && !(ttl = list_domain_title(e->dom)))
            return FALSE;
        cells[3] = ttl;
        cli_table_add_rowv(table, cells);
    }
    cli_table_print(table, stdout, !ctl->quiet);
    return TRUE;
}

static gboolean
cmd_list(CliCtl *ctl, const CliArgs *args)
{
    gboolean uuid = cli_args_has(args, "uuid");
    gboolean name = cli_args_has(args, "name");
    gboolean id = cli_args_has(args, "id");
    g_autoptr(GPtrArray) list = NULL;

    if (cli_args_has(args, "table") && (name || id || uuid)) {
        cli_error("Options --table and --%s are mutually exclusive",
                  name ? "name" : uuid ? "uuid" : "id");
        return FALSE;
    }
    if (!(list = list_collect(ctl, list_flags(args)))) {
        cli_fail("Failed to list domains");
        return FALSE;
    }
    if (!uuid && !name && !id)
        return list_print_table(ctl, list, cli_args_has(args, "title"),
                                cli_args_has(args, "managed-save"));
    list_print_plain(list, uuid, id, name);
    return TRUE;
}

/* ---- define, undefine, start, create ------------------------------------------------ */

static gboolean
cmd_define(CliCtl *ctl, const CliArgs *args)
{
    const char *file = cli_args_get(args, "file");
    g_autofree char *xml = cli_read_file(file);
    g_autoptr(MvDomain) dom = NULL;

    if (!xml)
        return FALSE;
    if (cli_args_has(args, "validate"))
        dom = mv_domain_define_xml_flags(ctl->conn, xml, MV_DOMAIN_DEFINE_VALIDATE);
    else
        dom = mv_domain_define_xml(ctl->conn, xml);
    if (!dom) {
        cli_fail("Failed to define domain from %s", file);
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' defined from %s\n", mv_domain_get_name(dom), file);
    return TRUE;
}

static const struct {
    const char *opt;
    unsigned int flag;
} undefine_flags[] = {
    { "managed-save", MV_DOMAIN_UNDEFINE_MANAGED_SAVE },
    { "snapshots-metadata", MV_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA },
    { "checkpoints-metadata", MV_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA },
    { "nvram", MV_DOMAIN_UNDEFINE_NVRAM },
    { "keep-nvram", MV_DOMAIN_UNDEFINE_KEEP_NVRAM },
    { "tpm", MV_DOMAIN_UNDEFINE_TPM },
    { "keep-tpm", MV_DOMAIN_UNDEFINE_KEEP_TPM },
};

static gboolean
cmd_undefine(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    g_autoptr(CliUndefineVols) vols = NULL;
    unsigned int flags = 0;
    int r;

    if (!dom)
        return FALSE;
    if (cli_args_has(args, "delete-storage-volume-snapshots") &&
        !cli_args_has(args, "remove-all-storage")) {
        cli_error("Option --remove-all-storage is required by option "
                  "--delete-storage-volume-snapshots");
        return FALSE;
    }
    /* As virsh, an empty --storage is no --storage. */
    if (!(vols = cli_undefine_vols_collect(ctl, dom,
                                           g_strcmp0(cli_args_get(args, "storage"), "") != 0
                                           ? cli_args_get(args, "storage") : NULL,
                                           cli_args_has(args, "remove-all-storage"))))
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(undefine_flags); i++) {
        if (cli_args_has(args, undefine_flags[i].opt))
            flags |= undefine_flags[i].flag;
    }
    r = mv_domain_undefine_flags(dom, flags);
    if (r < 0 && flags == 0 && cli_last_error_code() == MV_ERR_NO_SUPPORT)
        r = mv_domain_undefine(dom);
    if (r < 0) {
        cli_fail("Failed to undefine domain '%s'", mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' has been undefined\n", mv_domain_get_name(dom));
    return cli_undefine_vols_remove(ctl, vols, cli_args_has(args, "wipe-storage"),
                                    cli_args_has(args, "delete-storage-volume-snapshots"));
}

static unsigned int
start_flags(const CliArgs *args)
{
    unsigned int flags = 0;

    if (cli_args_has(args, "paused"))
        flags |= MV_DOMAIN_START_PAUSED;
    if (cli_args_has(args, "autodestroy"))
        flags |= MV_DOMAIN_START_AUTODESTROY;
    if (cli_args_has(args, "bypass-cache"))
        flags |= MV_DOMAIN_START_BYPASS_CACHE;
    if (cli_args_has(args, "force-boot"))
        flags |= MV_DOMAIN_START_FORCE_BOOT;
    if (cli_args_has(args, "validate"))
        flags |= MV_DOMAIN_START_VALIDATE;
    if (cli_args_has(args, "reset-nvram"))
        flags |= MV_DOMAIN_START_RESET_NVRAM;
    return flags;
}

static gboolean
cmd_start(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_UUID | CLI_BY_NAME);
    unsigned int flags = start_flags(args);
    int r;

    if (!dom)
        return FALSE;
    if (mv_domain_get_id(dom) != (unsigned int)-1) {
        cli_error("Domain is already active");
        return FALSE;
    }
    r = flags ? mv_domain_create_with_flags(dom, flags) : mv_domain_create(dom);
    if (r < 0) {
        cli_fail("Failed to start domain '%s'", mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' started\n", mv_domain_get_name(dom));
    if (cli_args_has(args, "console")) {
        fflush(stdout);
        return cli_console_run(ctl, dom, NULL, 0);
    }
    return TRUE;
}

static gboolean
cmd_create(CliCtl *ctl, const CliArgs *args)
{
    const char *file = cli_args_get(args, "file");
    g_autofree char *xml = cli_read_file(file);
    g_autoptr(MvDomain) dom = NULL;

    if (!xml)
        return FALSE;
    if (!(dom = mv_domain_create_xml(ctl->conn, xml, start_flags(args)))) {
        cli_fail("Failed to create domain from %s", file);
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' created from %s\n", mv_domain_get_name(dom), file);
    if (cli_args_has(args, "console")) {
        fflush(stdout);
        return cli_console_run(ctl, dom, NULL, 0);
    }
    return TRUE;
}

/* ---- lifecycle actions ------------------------------------------------------------ */

static gboolean
cmd_destroy(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    unsigned int flags = 0;
    int r;

    if (!dom)
        return FALSE;
    if (cli_args_has(args, "graceful"))
        flags |= MV_DOMAIN_DESTROY_GRACEFUL;
    if (cli_args_has(args, "remove-logs"))
        flags |= MV_DOMAIN_DESTROY_REMOVE_LOGS;
    r = flags ? mv_domain_destroy_flags(dom, flags) : mv_domain_destroy(dom);
    if (r < 0) {
        cli_fail("Failed to destroy domain '%s'", mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' destroyed\n", mv_domain_get_name(dom));
    return TRUE;
}

/* --mode acpi,agent,...: FALSE (error printed) for an unknown mode. */
static gboolean
shutdown_mode_flags(const CliArgs *args, unsigned int *ret)
{
    static const char *const modes[] = { "acpi", "agent", "initctl", "signal", "paravirt" };
    const char *mode = cli_args_get(args, "mode");
    g_auto(GStrv) parts = NULL;

    *ret = 0;
    if (!mode)
        return TRUE;
    parts = g_strsplit(mode, ",", -1);
    for (char **p = parts; *p; p++) {
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(modes); i++) {
            if (g_str_equal(*p, modes[i]))
                break;
        }
        if (i == G_N_ELEMENTS(modes)) {
            cli_error("Unknown mode %s value, expecting 'acpi', 'agent', 'initctl', "
                      "'signal', or 'paravirt'", *p);
            return FALSE;
        }
        *ret |= 1u << i;
    }
    return TRUE;
}

static gboolean
cmd_shutdown(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = NULL;
    unsigned int flags;
    int r;

    if (!shutdown_mode_flags(args, &flags))
        return FALSE;
    if (!(dom = cli_lookup_domain(ctl, args, "domain", CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME)))
        return FALSE;
    r = flags ? mv_domain_shutdown_flags(dom, flags) : mv_domain_shutdown(dom);
    if (r < 0) {
        cli_fail("Failed to shutdown domain '%s'", mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' is being shutdown\n", mv_domain_get_name(dom));
    return TRUE;
}

static gboolean
cmd_reboot(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = NULL;
    unsigned int flags;

    if (!shutdown_mode_flags(args, &flags))
        return FALSE;
    if (!(dom = cli_lookup_domain(ctl, args, "domain", CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME)))
        return FALSE;
    if (mv_domain_reboot(dom, flags) < 0) {
        cli_fail("Failed to reboot domain '%s'", mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' is being rebooted\n", mv_domain_get_name(dom));
    return TRUE;
}

typedef int (*DomainAction)(MvDomain *dom);

static int
domain_reset0(MvDomain *dom)
{
    return mv_domain_reset(dom, 0);
}

/* Look the domain up, run @action, print @done or @failed. */
static gboolean
domain_simple_action(CliCtl *ctl, const CliArgs *args, DomainAction action, const char *done,
                     const char *failed)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);

    if (!dom)
        return FALSE;
    if (action(dom) < 0) {
        cli_fail("Failed to %s domain '%s'", failed, mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' %s\n", mv_domain_get_name(dom), done);
    return TRUE;
}

static gboolean
cmd_reset(CliCtl *ctl, const CliArgs *args)
{
    return domain_simple_action(ctl, args, domain_reset0, "was reset", "reset");
}

static gboolean
cmd_suspend(CliCtl *ctl, const CliArgs *args)
{
    return domain_simple_action(ctl, args, mv_domain_suspend, "suspended", "suspend");
}

static gboolean
cmd_resume(CliCtl *ctl, const CliArgs *args)
{
    return domain_simple_action(ctl, args, mv_domain_resume, "resumed", "resume");
}

static gboolean
cmd_autostart(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    gboolean enable = !cli_args_has(args, "disable");

    if (!dom)
        return FALSE;
    if (mv_domain_set_autostart(dom, enable) < 0) {
        cli_fail("Failed to %smark domain '%s' as autostarted", enable ? "" : "un",
                 mv_domain_get_name(dom));
        return FALSE;
    }
    cli_print_extra(ctl, "Domain '%s' %smarked as autostarted\n", mv_domain_get_name(dom),
           enable ? "" : "un");
    return TRUE;
}

/* ---- information ------------------------------------------------------------------ */

static void
dominfo_security(CliCtl *ctl, MvDomain *dom, gboolean *ok)
{
    MvSecurityModel model;
    MvSecurityLabel label;

    if (mv_node_get_security_model(ctl->conn, &model) < 0) {
        if (cli_last_error_code() != MV_ERR_NO_SUPPORT) {
            cli_report_error(NULL);
            *ok = FALSE;
        }
        return;
    }
    if (!model.model[0])
        return;
    printf("%-15s %s\n", "Security model:", model.model);
    printf("%-15s %s\n", "Security DOI:", model.doi);
    if (mv_domain_get_security_label(dom, &label) < 0) {
        cli_report_error(NULL);
        *ok = FALSE;
        return;
    }
    if (label.label[0])
        printf("%-15s %s (%s)\n", "Security label:", label.label,
               label.enforcing ? "enforcing" : "permissive");
}

static gboolean
cmd_dominfo(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    g_autofree char *ostype = NULL;
    char uuid[MV_UUID_STRING_BUFLEN];
    MvDomainInfo info;
    gboolean ok = TRUE;
    int persistent;
    int autostart;
    int managed;

    if (!dom)
        return FALSE;
    if (mv_domain_get_id(dom) == (unsigned int)-1)
        printf("%-15s %s\n", "Id:", "-");
    else
        printf("%-15s %d\n", "Id:", (int)mv_domain_get_id(dom));
    printf("%-15s %s\n", "Name:", mv_domain_get_name(dom));
    mv_domain_get_uuid_string(dom, uuid);
    printf("%-15s %s\n", "UUID:", uuid);
    if ((ostype = mv_domain_get_os_type(dom)))
        printf("%-15s %s\n", "OS Type:", ostype);
    if (mv_domain_get_info(dom, &info) == 0) {
        printf("%-15s %s\n", "State:", cli_domain_state_to_string(info.state));
        printf("%-15s %d\n", "CPU(s):", info.nr_virt_cpu);
        if (info.cpu_time != 0)
            printf("%-15s %.1fs\n", "CPU time:", info.cpu_time / 1000000000.0);
        if (info.max_mem != G_MAXUINT)
            printf("%-15s %llu KiB\n", "Max memory:", info.max_mem);
        else
            printf("%-15s %s\n", "Max memory:", "no limit");
        printf("%-15s %llu KiB\n", "Used memory:", info.memory);
    } else {
        cli_report_error(NULL);
        ok = FALSE;
    }
    persistent = mv_domain_is_persistent(dom);
    printf("%-15s %s\n", "Persistent:", persistent < 0 ? "unknown" : persistent ? "yes" : "no");
    if (mv_domain_get_autostart(dom, &autostart) == 0)
        printf("%-15s %s\n", "Autostart:", autostart ? "enable" : "disable");
    managed = mv_domain_has_managed_save_image(dom, 0);
    printf("%-15s %s\n", "Managed save:", managed < 0 ? "unknown" : managed ? "yes" : "no");
    dominfo_security(ctl, dom, &ok);
    return ok;
}

static gboolean
cmd_domstate(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    int state;
    int reason;

    if (!dom)
        return FALSE;
    if (mv_domain_get_state(dom, &state, &reason, 0) < 0) {
        cli_report_error(NULL);
        return FALSE;
    }
    if (cli_args_has(args, "reason"))
        printf("%s (%s)\n", cli_domain_state_to_string(state),
               domain_reason_to_string(state, reason));
    else
        printf("%s\n", cli_domain_state_to_string(state));
    return TRUE;
}

static gboolean
cmd_domid(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_UUID | CLI_BY_NAME);

    if (!dom)
        return FALSE;
    if (mv_domain_get_id(dom) == (unsigned int)-1)
        printf("-\n");
    else
        printf("%d\n", (int)mv_domain_get_id(dom));
    return TRUE;
}

static gboolean
cmd_domname(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain", CLI_BY_ID | CLI_BY_UUID);

    if (!dom)
        return FALSE;
    printf("%s\n", mv_domain_get_name(dom));
    return TRUE;
}

static gboolean
cmd_domuuid(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain", CLI_BY_ID | CLI_BY_NAME);
    char uuid[MV_UUID_STRING_BUFLEN];

    if (!dom)
        return FALSE;
    mv_domain_get_uuid_string(dom, uuid);
    printf("%s\n", uuid);
    return TRUE;
}

static gboolean
cmd_dumpxml(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    g_autofree char *xml = NULL;
    unsigned int flags = 0;

    if (!dom)
        return FALSE;
    if (cli_args_has(args, "security-info"))
        flags |= MV_DOMAIN_XML_SECURE;
    if (cli_args_has(args, "inactive"))
        flags |= MV_DOMAIN_XML_INACTIVE;
    if (cli_args_has(args, "update-cpu"))
        flags |= MV_DOMAIN_XML_UPDATE_CPU;
    if (cli_args_has(args, "migratable"))
        flags |= MV_DOMAIN_XML_MIGRATABLE;
    if (!(xml = mv_domain_get_xml_desc(dom, flags))) {
        cli_report_error(NULL);
        return FALSE;
    }
    return cli_print_xml(xml, args);
}

/* ---- domstats ---------------------------------------------------------------------- */

static const struct {
    const char *opt;
    unsigned int bit;
    gboolean is_flag;
} domstats_opts[] = {
    { "state", MV_DOMAIN_STATS_STATE, FALSE },
    { "cpu-total", MV_DOMAIN_STATS_CPU_TOTAL, FALSE },
    { "balloon", MV_DOMAIN_STATS_BALLOON, FALSE },
    { "vcpu", MV_DOMAIN_STATS_VCPU, FALSE },
    { "interface", MV_DOMAIN_STATS_INTERFACE, FALSE },
    { "block", MV_DOMAIN_STATS_BLOCK, FALSE },
    { "perf", MV_DOMAIN_STATS_PERF, FALSE },
    { "iothread", MV_DOMAIN_STATS_IOTHREAD, FALSE },
    { "memory", MV_DOMAIN_STATS_MEMORY, FALSE },
    { "dirtyrate", MV_DOMAIN_STATS_DIRTYRATE, FALSE },
    { "vm", MV_DOMAIN_STATS_VM, FALSE },
    { "list-active", MV_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE, TRUE },
    { "list-inactive", MV_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE, TRUE },
    { "list-persistent", MV_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT, TRUE },
    { "list-transient", MV_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT, TRUE },
    { "list-running", MV_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING, TRUE },
    { "list-paused", MV_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED, TRUE },
    { "list-shutoff", MV_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF, TRUE },
    { "list-other", MV_CONNECT_GET_ALL_DOMAINS_STATS_OTHER, TRUE },
    { "enforce", MV_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS, TRUE },
    { "backing", MV_CONNECT_GET_ALL_DOMAINS_STATS_BACKING, TRUE },
    { "nowait", MV_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT, TRUE },
};

static void
domstats_print(MvDomainStatsRecord **recs)
{
    for (MvDomainStatsRecord **r = recs; *r; r++) {
        printf("Domain: '%s'\n", mv_domain_get_name((*r)->dom));
        for (int i = 0; i < (*r)->nparams; i++) {
            g_autofree char *value = mv_typed_param_format(&(*r)->params[i]);

            printf("  %s=%s\n", (*r)->params[i].field, value ? value : "");
        }
        if (r[1])
            printf("\n");
    }
}

static gboolean
cmd_domstats(CliCtl *ctl, const CliArgs *args)
{
    const char *const *names = cli_args_get_argv(args);
    g_autoptr(GPtrArray) doms = g_ptr_array_new_with_free_func(cli_domain_unref);
    MvDomainStatsRecord **recs = NULL;
    unsigned int stats = 0;
    unsigned int flags = 0;
    int n;

    for (size_t i = 0; i < G_N_ELEMENTS(domstats_opts); i++) {
        if (!cli_args_has(args, domstats_opts[i].opt))
            continue;
        if (domstats_opts[i].is_flag)
            flags |= domstats_opts[i].bit;
        else
            stats |= domstats_opts[i].bit;
    }
    for (size_t i = 0; names && names[i]; i++) {
        MvDomain *dom = cli_lookup_domain_str(ctl, names[i],
                                              CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);

        if (!dom)
            return FALSE;
        g_ptr_array_add(doms, dom);
    }
    if (doms->len > 0) {
        g_ptr_array_add(doms, NULL);
        n = mv_domain_list_get_stats((MvDomain **)doms->pdata, stats, &recs, flags);
        g_ptr_array_steal_index(doms, doms->len - 1);
    } else {
        n = mv_connect_get_all_domain_stats(ctl->conn, stats, &recs, flags);
    }
    if (n < 0) {
        cli_report_error(NULL);
        return FALSE;
    }
    domstats_print(recs);
    mv_domain_stats_record_list_free(recs);
    return TRUE;
}

/* ---- the table ---------------------------------------------------------------------- */

#define OPT_DOMAIN { "domain", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL, \
                     "domain name, id or uuid" }

static const CliOpt opts_list[] = {
    { "inactive", CLI_OPT_BOOL, 0, "list inactive domains" },
    { "all", CLI_OPT_BOOL, 0, "list inactive & active domains" },
    { "transient", CLI_OPT_BOOL, 0, "list transient domains" },
    { "persistent", CLI_OPT_BOOL, 0, "list persistent domains" },
    { "with-snapshot", CLI_OPT_BOOL, 0, "list domains with existing snapshot" },
    { "without-snapshot", CLI_OPT_BOOL, 0, "list domains without a snapshot" },
    { "with-checkpoint", CLI_OPT_BOOL, 0, "list domains with existing checkpoint" },
    { "without-checkpoint", CLI_OPT_BOOL, 0, "list domains without a checkpoint" },
    { "state-running", CLI_OPT_BOOL, 0, "list domains in running state" },
    { "state-paused", CLI_OPT_BOOL, 0, "list domains in paused state" },
    { "state-shutoff", CLI_OPT_BOOL, 0, "list domains in shutoff state" },
    { "state-other", CLI_OPT_BOOL, 0, "list domains in other states" },
    { "autostart", CLI_OPT_BOOL, 0, "list domains with autostart enabled" },
    { "no-autostart", CLI_OPT_BOOL, 0, "list domains with autostart disabled" },
    { "with-managed-save", CLI_OPT_BOOL, 0, "list domains with managed save state" },
    { "without-managed-save", CLI_OPT_BOOL, 0, "list domains without managed save" },
    { "uuid", CLI_OPT_BOOL, 0, "list uuid's only" },
    { "name", CLI_OPT_BOOL, 0, "list domain names only" },
    { "id", CLI_OPT_BOOL, 0, "list domain IDs only" },
    { "table", CLI_OPT_BOOL, 0, "list table (default)" },
    { "managed-save", CLI_OPT_BOOL, 0, "mark inactive domains with managed save state" },
    { "title", CLI_OPT_BOOL, 0, "show domain title" },
    { NULL }
};

static const CliOpt opts_define[] = {
    { "file", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "file containing an XML domain description" },
    { "validate", CLI_OPT_BOOL, 0, "validate the XML against the schema" },
    { NULL }
};

static const CliOpt opts_undefine[] = {
    OPT_DOMAIN,
    { "managed-save", CLI_OPT_BOOL, 0, "remove domain managed state file" },
    { "storage", CLI_OPT_STRING, CLI_OPT_EMPTY_OK,
      "remove associated storage volumes (comma separated list of targets or source paths)" },
    { "remove-all-storage", CLI_OPT_BOOL, 0,
      "remove all associated storage volumes (use with caution)" },
    { "delete-storage-volume-snapshots", CLI_OPT_BOOL, 0,
      "delete snapshots associated with volume(s), requires --remove-all-storage" },
    { "wipe-storage", CLI_OPT_BOOL, 0, "wipe data on the removed volumes" },
    { "snapshots-metadata", CLI_OPT_BOOL, 0, "remove all domain snapshot metadata" },
    { "checkpoints-metadata", CLI_OPT_BOOL, 0, "remove all domain checkpoint metadata" },
    { "nvram", CLI_OPT_BOOL, 0, "remove nvram file" },
    { "keep-nvram", CLI_OPT_BOOL, 0, "keep nvram file" },
    { "tpm", CLI_OPT_BOOL, 0, "remove TPM state" },
    { "keep-tpm", CLI_OPT_BOOL, 0, "keep TPM state" },
    { NULL }
};

static const CliOpt opts_start[] = {
    { "domain", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "name of the inactive domain" },
    { "console", CLI_OPT_BOOL, 0, "attach to console after creation" },
    { "paused", CLI_OPT_BOOL, 0, "leave the guest paused after creation" },
    { "autodestroy", CLI_OPT_BOOL, 0, "automatically destroy the guest when mvsh disconnects" },
    { "bypass-cache", CLI_OPT_BOOL, 0, "avoid file system cache when loading" },
    { "force-boot", CLI_OPT_BOOL, 0, "force fresh boot by discarding any managed save" },
    { "reset-nvram", CLI_OPT_BOOL, 0, "re-initialize NVRAM from its pristine template" },
    { NULL }
};

static const CliOpt opts_create[] = {
    { "file", CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_POSITIONAL,
      "file containing an XML domain description" },
    { "console", CLI_OPT_BOOL, 0, "attach to console after creation" },
    { "paused", CLI_OPT_BOOL, 0, "leave the guest paused after creation" },
    { "autodestroy", CLI_OPT_BOOL, 0, "automatically destroy the guest when mvsh disconnects" },
    { "validate", CLI_OPT_BOOL, 0, "validate the XML against the schema" },
    { "reset-nvram", CLI_OPT_BOOL, 0, "re-initialize NVRAM from its pristine template" },
    { NULL }
};

static const CliOpt opts_destroy[] = {
    OPT_DOMAIN,
    { "graceful", CLI_OPT_BOOL, 0, "terminate gracefully" },
    { "remove-logs", CLI_OPT_BOOL, 0, "remove domain logs" },
    { NULL }
};

static const CliOpt opts_shutdown[] = {
    OPT_DOMAIN,
    { "mode", CLI_OPT_STRING, 0, "shutdown mode: acpi|agent|initctl|signal|paravirt" },
    { NULL }
};

static const CliOpt opts_domain[] = {
    OPT_DOMAIN,
    { NULL }
};

static const CliOpt opts_domstate[] = {
    OPT_DOMAIN,
    { "reason", CLI_OPT_BOOL, 0, "also print reason for the state" },
    { NULL }
};

static const CliOpt opts_autostart[] = {
    OPT_DOMAIN,
    { "disable", CLI_OPT_BOOL, 0, "disable autostarting" },
    { NULL }
};

static const CliOpt opts_edit[] = {
    OPT_DOMAIN,
    { "skip-validate", CLI_OPT_BOOL, 0, "skip validation of the XML against the schema" },
    { NULL }
};

static const CliOpt opts_dumpxml[] = {
    OPT_DOMAIN,
    { "inactive", CLI_OPT_BOOL, 0, "show inactive defined XML" },
    { "security-info", CLI_OPT_BOOL, 0, "include security sensitive information in XML dump" },
    { "update-cpu", CLI_OPT_BOOL, 0, "update guest CPU according to host CPU" },
    { "migratable", CLI_OPT_BOOL, 0, "provide XML suitable for migrations" },
    { "xpath", CLI_OPT_STRING, CLI_OPT_NAMED, "xpath expression to filter the XML document" },
    { "wrap", CLI_OPT_BOOL, 0, "wrap xpath results in an common root element" },
    { NULL }
};

static const CliOpt opts_domstats[] = {
    { "state", CLI_OPT_BOOL, 0, "report domain state" },
    { "cpu-total", CLI_OPT_BOOL, 0, "report domain physical cpu usage" },
    { "balloon", CLI_OPT_BOOL, 0, "report domain balloon statistics" },
    { "vcpu", CLI_OPT_BOOL, 0, "report domain virtual cpu information" },
    { "interface", CLI_OPT_BOOL, 0, "report domain network interface information" },
    { "block", CLI_OPT_BOOL, 0, "report domain block device statistics" },
    { "perf", CLI_OPT_BOOL, 0, "report domain perf event statistics" },
    { "iothread", CLI_OPT_BOOL, 0, "report domain IOThread information" },
    { "memory", CLI_OPT_BOOL, 0, "report domain memory usage" },
    { "dirtyrate", CLI_OPT_BOOL, 0, "report domain dirty rate information" },
    { "vm", CLI_OPT_BOOL, 0, "report hypervisor-specific statistics" },
    { "list-active", CLI_OPT_BOOL, 0, "list only active domains" },
    { "list-inactive", CLI_OPT_BOOL, 0, "list only inactive domains" },
    { "list-persistent", CLI_OPT_BOOL, 0, "list only persistent domains" },
    { "list-transient", CLI_OPT_BOOL, 0, "list only transient domains" },
    { "list-running", CLI_OPT_BOOL, 0, "list only running domains" },
    { "list-paused", CLI_OPT_BOOL, 0, "list only paused domains" },
    { "list-shutoff", CLI_OPT_BOOL, 0, "list only shutoff domains" },
    { "list-other", CLI_OPT_BOOL, 0, "list only domains in other states" },
    { "raw", CLI_OPT_BOOL, 0, "do not pretty-print the fields" },
    { "enforce", CLI_OPT_BOOL, 0, "enforce requested stats parameters" },
    { "backing", CLI_OPT_BOOL, 0, "add backing chain information to block stats" },
    { "nowait", CLI_OPT_BOOL, 0, "report only stats that are accessible instantly" },
    { "domain", CLI_OPT_ARGV, CLI_OPT_POSITIONAL, "list of domains to get stats for" },
    { NULL }
};

const CliCmd cli_domain_cmds[] = {
    { "autostart", cmd_autostart, opts_autostart, "autostart a domain", 0 },
    { "create", cmd_create, opts_create, "create a domain from an XML file", 0 },
    { "define", cmd_define, opts_define, "define (but don't start) a domain from an XML file", 0 },
    { "destroy", cmd_destroy, opts_destroy, "destroy (stop) a domain", 0 },
    { "domid", cmd_domid, opts_domain, "convert a domain name or UUID to domain id", 0 },
    { "dominfo", cmd_dominfo, opts_domain, "domain information", 0 },
    { "domname", cmd_domname, opts_domain, "convert a domain id or UUID to domain name", 0 },
    { "domstate", cmd_domstate, opts_domstate, "domain state", 0 },
    { "domstats", cmd_domstats, opts_domstats, "get statistics about one or multiple domains",
      0 },
    { "domuuid", cmd_domuuid, opts_domain, "convert a domain name or id to domain UUID", 0 },
    { "dumpxml", cmd_dumpxml, opts_dumpxml, "domain information in XML", 0 },
    { "edit", cli_cmd_edit, opts_edit, "edit XML configuration for a domain", 0 },
    { "list", cmd_list, opts_list, "list domains", 0 },
    { "reboot", cmd_reboot, opts_shutdown, "reboot a domain", 0 },
    { "reset", cmd_reset, opts_domain, "reset a domain", 0 },
    { "resume", cmd_resume, opts_domain, "resume a domain", 0 },
    { "shutdown", cmd_shutdown, opts_shutdown, "gracefully shutdown a domain", 0 },
    { "start", cmd_start, opts_start, "start a (previously defined) inactive domain", 0 },
    { "suspend", cmd_suspend, opts_domain, "suspend a domain", 0 },
    { "undefine", cmd_undefine, opts_undefine, "undefine a domain", 0 },
    { NULL }
};
