/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-undefine.c: the storage options of mvsh's undefine, as virsh has
 * them: --storage (disks named by target or source) and
 * --remove-all-storage find the storage volumes behind the domain's disks
 * before the undefine, and delete them (--wipe-storage: wipe first) after.
 */
#include <config.h>

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "cli/cli-util.h"

struct _CliUndefineVols {
    GPtrArray *vols;             /* MvStorageVol, in disk order */
    GPtrArray *targets;          /* their disks' target dev */
    GPtrArray *sources;          /* their disks' source */
};

void
cli_undefine_vols_free(CliUndefineVols *uv)
{
    if (!uv)
        return;
    g_ptr_array_unref(uv->vols);
    g_ptr_array_unref(uv->targets);
    g_ptr_array_unref(uv->sources);
    g_free(uv);
}

/* The string value of @expr at @node, NULL if empty. */
static char *
undefine_xpath_string(xmlXPathContext *ctxt, xmlNode *node, const char *expr)
{
    xmlXPathObject *obj;
    char *ret = NULL;

    ctxt->node = node;
    obj = xmlXPathEval((const xmlChar *)expr, ctxt);
    if (obj && obj->type == XPATH_STRING && obj->stringval && obj->stringval[0])
        ret = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return ret;
}

/* The volume behind a disk: by pool and name for type='volume', else by path. */
static MvStorageVol *
undefine_disk_vol(CliCtl *ctl, const char *target, const char *source, const char *pool_name)
{
    g_autoptr(MvStoragePool) pool = NULL;
    MvStorageVol *vol;

    if (pool_name) {
        if (!(pool = mv_storage_pool_lookup_by_name(ctl->conn, pool_name))) {
            cli_error("Storage pool '%s' for volume '%s' not found.", pool_name, target);
            mv_reset_last_error();
            return NULL;
        }
        vol = mv_storage_vol_lookup_by_name(pool, source);
    } else {
        vol = mv_storage_vol_lookup_by_path(ctl->conn, source);
    }
    if (!vol) {
        cli_error("Storage volume '%s'(%s) is not managed by libvirt. Remove it manually.\n",
                  target, source);
        mv_reset_last_error();
    }
    return vol;
}

/* Take the disk (@target, @source) if it is in @wanted (NULL: all), which
 * then forgets it. */
static gboolean
undefine_disk_wanted(GStrv wanted, const char *target, const char *source)
{
    if (!wanted)
        return TRUE;
    for (char **w = wanted; *w; w++) {
        if (**w && (g_str_equal(*w, target) || g_str_equal(*w, source))) {
            **w = '\0';
            return TRUE;
        }
    }
    return FALSE;
}

/* Add the volumes of @xml's disks (those in @wanted, NULL: all) to @uv. */
static gboolean
undefine_collect(CliCtl *ctl, const char *xml, GStrv wanted, CliUndefineVols *uv)
{
    xmlDoc *doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    xmlXPathContext *ctxt = doc ? xmlXPathNewContext(doc) : NULL;
    xmlXPathObject *disks = ctxt ? xmlXPathEval((const xmlChar *)"/domain/devices/disk", ctxt)
                                 : NULL;
    int n = disks && disks->nodesetval ? disks->nodesetval->nodeNr : 0;

    if (!disks) {
        cli_error("Could not retrieve domain XML description");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        xmlNode *disk = disks->nodesetval->nodeTab[i];
        g_autofree char *target = undefine_xpath_string(ctxt, disk, "string(./target/@dev)");
        g_autofree char *source = undefine_xpath_string(ctxt, disk,
                                                        "string(./source/@file|./source/@dir|"
                                                        "./source/@name|./source/@dev|"
                                                        "./source/@volume)");
        g_autofree char *pool = undefine_xpath_string(ctxt, disk, "string(./source/@pool)");
        MvStorageVol *vol;

        if (!target || !source || !undefine_disk_wanted(wanted, target, source))
            continue;
        if (!(vol = undefine_disk_vol(ctl, target, source, pool)))
            continue;
        g_ptr_array_add(uv->vols, vol);
        g_ptr_array_add(uv->targets, g_steal_pointer(&target));
        g_ptr_array_add(uv->sources, g_steal_pointer(&source));
    }
 out:
    xmlXPathFreeObject(disks);
    xmlXPathFreeContext(ctxt);
    xmlFreeDoc(doc);
    return disks != NULL;
}

CliUndefineVols *
cli_undefine_vols_collect(CliCtl *ctl, MvDomain *dom, const char *storage, gboolean all)
{
    g_autoptr(CliUndefineVols) uv = g_new0(CliUndefineVols, 1);
    g_auto(GStrv) wanted = storage ? g_strsplit(storage, ",", -1) : NULL;
    g_autofree char *xml = NULL;
    gboolean missing = FALSE;

    uv->vols = g_ptr_array_new_with_free_func(cli_vol_unref);
    uv->targets = g_ptr_array_new_with_free_func(g_free);
    uv->sources = g_ptr_array_new_with_free_func(g_free);
    if (!storage && !all)
        return g_steal_pointer(&uv);
    if (mv_domain_is_active(dom) == 1) {
        cli_error("Storage volume deletion is supported only on stopped domains");
        return NULL;
    }
    if (storage && all) {
        cli_error("Specified both --storage and --remove-all-storage");
        return NULL;
    }
    if (!(xml = mv_domain_get_xml_desc(dom, 0))) {
        cli_error("Could not retrieve domain XML description");
        return NULL;
    }
    if (!undefine_collect(ctl, xml, wanted, uv))
        return NULL;
    for (char **w = wanted; w && *w; w++) {
        if (**w) {
            cli_error("Volume '%s' was not found in domain's definition.\n", *w);
            missing = TRUE;
        }
    }
    return missing ? NULL : g_steal_pointer(&uv);
}

gboolean
cli_undefine_vols_remove(CliCtl *ctl, CliUndefineVols *uv, gboolean wipe, gboolean snapshots)
{
    gboolean ok = TRUE;

    for (guint i = 0; i < uv->vols->len; i++) {
        MvStorageVol *vol = g_ptr_array_index(uv->vols, i);
        const char *target = g_ptr_array_index(uv->targets, i);
        const char *source = g_ptr_array_index(uv->sources, i);

        if (wipe) {
            printf("Wiping volume '%s'(%s) ... ", target, source);
            fflush(stdout);
            if (mv_storage_vol_wipe(vol, 0) < 0) {
                cli_error("Failed! Volume not removed.");
                ok = FALSE;
                continue;
            }
            printf("Done.\n");
        }
        if (mv_storage_vol_delete(vol, snapshots ? MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS
                                                  : 0) < 0) {
            cli_fail("Failed to remove storage volume '%s'(%s)", target, source);
            ok = FALSE;
        } else {
            cli_print_extra(ctl, "Volume '%s'(%s) removed.\n", target, source);
        }
    }
    return ok;
}
