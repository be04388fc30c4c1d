/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-edit.c: mvsh's edit and pool-edit, as virsh's: the object's inactive
 * XML in a temporary file, the user's editor ($VISUAL, $EDITOR, else vi) on
 * it, and the result defined, with virsh's messages.
 *
 * Unlike virsh 9.0, which on a failed define without a terminal prints
 * only "Failed.", then "... XML configuration edited." and exits 0, mvsh
 * prints the reason and fails, and keeps the edited file, naming it: what
 * the user wrote is never silently lost.  On a terminal it asks, as virsh
 * does, whether to edit again, give up, or define again (without
 * validation, for a domain).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-util.h"

typedef struct {
    const char *kind;              /* "domain", "pool": for errors */
    const char *not_changed;       /* printf format of the name */
    const char *edited;
    gboolean relax_avail;          /* "i": define again without validation */
    /* Define @xml; the defined object's name (caller frees), or NULL with
     * the library's error set. */
    char *(*define)(CliCtl *ctl, const char *xml, gboolean relax);
} CliEditOps;

typedef enum {
    EDIT_AGAIN,                    /* run the editor again */
    EDIT_GIVE_UP,
    EDIT_RELAX,                    /* define again, without validation */
    EDIT_FORCE,                    /* define again, as is */
} CliEditChoice;

/* Run the user's editor on @path; FALSE (error printed) if it failed. */
static gboolean
edit_run_editor(const char *path)
{
    const char *editor = g_getenv("VISUAL");
    g_autofree char *script = NULL;
    g_autoptr(GError) error = NULL;
    const char *argv[6];
    int status = 0;

    if (!editor || !*editor)
        editor = g_getenv("EDITOR");
    if (!editor || !*editor)
        editor = "vi";
    /* The editor string as the shell reads it (it may carry options); the
     * file name as a separate argument, whatever it contains. */
    script = g_strdup_printf("%s \"$1\"", editor);
    argv[0] = "/bin/sh";
    argv[1] = "-c";
    argv[2] = script;
    argv[3] = "sh";
    argv[4] = path;
    argv[5] = NULL;
    /* The editor shares the terminal: nothing of ours still buffered. */
    fflush(stdout);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                      NULL, &status, &error) ||
        !g_spawn_check_wait_status(status, &error)) {
        cli_error("editor '%s' failed: %s", editor, error->message);
        return FALSE;
    }
    return TRUE;
}

/* Ask, on a terminal, what to do after a failed define; "i" is offered
 * while @relax_avail. */
static CliEditChoice
edit_ask(gboolean relax_avail)
{
    char line[64];

    for (;;) {
        printf("Failed. Try again? [y,n,%sf,?]:", relax_avail ? "i," : "");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin)) {
            putchar('\n');
            return EDIT_GIVE_UP;
        }
        switch (line[0]) {
        case 'y':
        case 'Y':
            return EDIT_AGAIN;
        case 'n':
        case 'N':
            return EDIT_GIVE_UP;
        case 'i':
        case 'I':
            if (relax_avail)
                return EDIT_RELAX;
            break;
        case 'f':
        case 'F':
            return EDIT_FORCE;
        default:
            break;
        }
        printf("y - yes, start editor again\n"
               "n - no, throw away my changes\n");
        if (relax_avail)
            printf("i - turn off validation and try to redefine again\n");
        printf("f - force, try to redefine again\n"
               "? - print this help\n");
    }
}

/* Edit @xml, the inactive XML of the @kind named @name, and define it. */
static gboolean
edit_run(CliCtl *ctl, const CliEditOps *ops, const char *name, const char *xml,
         gboolean relax)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    g_autofree char *edited = NULL;
    g_autofree char *defined = NULL;
    gboolean ask = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    gboolean run_editor = TRUE;
    gboolean relax_offer = FALSE;  /* "i" offered: after each edit, until used */
    gboolean written;
    FILE *f;
    int fd;

    /* Mode 0600: the XML may hold secrets (it is asked for with them). */
    fd = g_file_open_tmp("mvshXXXXXX.xml", &path, &error);
    if (fd < 0) {
        cli_error("cannot create a temporary file: %s", error->message);
        return FALSE;
    }
    f = fdopen(fd, "w");
    if (!f) {
        cli_error("cannot write '%s': %s", path, g_strerror(errno));
        close(fd);
        unlink(path);
        return FALSE;
    }
    written = fputs(xml, f) != EOF;
    if (fclose(f) != 0 || !written) {
        cli_error("cannot write '%s': %s", path, g_strerror(errno));
        unlink(path);
        return FALSE;
    }

    for (;;) {
        if (run_editor) {
            relax_offer = ops->relax_avail;
            if (!edit_run_editor(path)) {
                /* Edited before (the define failed): keep what was written. */
                if (edited)
                    cli_error("the edited XML is kept in %s", path);
                else
                    unlink(path);
                return FALSE;
            }
            g_clear_pointer(&edited, g_free);
            if (!g_file_get_contents(path, &edited, NULL, &error)) {
                cli_error("cannot read the edited XML back: %s", error->message);
                unlink(path);
                return FALSE;
            }
            if (g_str_equal(edited, xml)) {
                cli_print_extra(ctl, ops->not_changed, name);
                unlink(path);
                return TRUE;
            }
        }
        defined = ops->define(ctl, edited, relax);
        if (defined) {
            cli_print_extra(ctl, ops->edited, defined);
            unlink(path);
            return TRUE;
        }
        if (!ask) {
            cli_fail("Failed to define %s from the edited XML, kept in %s", ops->kind, path);
            return FALSE;
        }
        cli_report_error(NULL);
        switch (edit_ask(relax_offer)) {
        case EDIT_AGAIN:
            run_editor = TRUE;
            break;
        case EDIT_RELAX:
            relax = TRUE;
            relax_offer = FALSE;
            run_editor = FALSE;
            break;
        case EDIT_FORCE:
            run_editor = FALSE;
            break;
        case EDIT_GIVE_UP:
        default:
            unlink(path);
            return FALSE;
        }
    }
}

/* ---- edit ------------------------------------------------------------------------------- */

static char *
edit_define_domain(CliCtl *ctl, const char *xml, gboolean relax)
{
    g_autoptr(MvDomain) dom = mv_domain_define_xml_flags(ctl->conn, xml,
                                                         relax ? 0 : MV_DOMAIN_DEFINE_VALIDATE);

    return dom ? g_strdup(mv_domain_get_name(dom)) : NULL;
}

static const CliEditOps edit_domain_ops = {
    .kind = "domain",
    .not_changed = "Domain '%s' XML configuration not changed.\n",
    .edited = "Domain '%s' XML configuration edited.\n",
    .relax_avail = TRUE,
    .define = edit_define_domain,
};

gboolean
cli_cmd_edit(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvDomain) dom = cli_lookup_domain(ctl, args, "domain",
                                                CLI_BY_ID | CLI_BY_UUID | CLI_BY_NAME);
    g_autofree char *xml = NULL;

    if (!dom)
        return FALSE;
    xml = mv_domain_get_xml_desc(dom, MV_DOMAIN_XML_SECURE | MV_DOMAIN_XML_INACTIVE);
    if (!xml) {
        cli_report_error(NULL);
        return FALSE;
    }
    return edit_run(ctl, &edit_domain_ops, mv_domain_get_name(dom), xml,
                    cli_args_has(args, "skip-validate"));
}

/* ---- pool-edit ---------------------------------------------------------------------------- */

static char *
edit_define_pool(CliCtl *ctl, const char *xml, gboolean relax G_GNUC_UNUSED)
{
    g_autoptr(MvStoragePool) pool = mv_storage_pool_define_xml(ctl->conn, xml, 0);

    return pool ? g_strdup(mv_storage_pool_get_name(pool)) : NULL;
}

static const CliEditOps edit_pool_ops = {
    .kind = "pool",
    .not_changed = "Pool %s XML configuration not changed.\n",
    .edited = "Pool %s XML configuration edited.\n",
    .relax_avail = FALSE,
    .define = edit_define_pool,
};

gboolean
cli_cmd_pool_edit(CliCtl *ctl, const CliArgs *args)
{
    g_autoptr(MvStoragePool) pool = cli_lookup_pool(ctl, args, "pool");
    g_autofree char *xml = NULL;

    if (!pool)
        return FALSE;
    xml = mv_storage_pool_get_xml_desc(pool, MV_STORAGE_XML_INACTIVE);
    if (!xml) {
        cli_report_error(NULL);
        return FALSE;
    }
    return edit_run(ctl, &edit_pool_ops, mv_storage_pool_get_name(pool), xml, FALSE);
}
