/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf/xml-buf.h"
#include "conf/xml-util.h"
#include "drivers/qemu/qemu-conf.h"
#include "drivers/qemu/qemu-process.h"
#include "util/error.h"
#include "util/file.h"

static char *
conf_config_path(QemuDriver *drv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(drv->config_dir, file, NULL);
}

static char *
conf_autostart_path(QemuDriver *drv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(drv->autostart_dir, file, NULL);
}

static char *
conf_status_path(QemuDriver *drv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(drv->state_dir, file, NULL);
}

/* One atomic write: durable ones through @spares where there are any. */
static gboolean
conf_write_once(MvFileSpares *spares, const char *path, const char *xml, gboolean durable,
                GError **error)
{
    if (!durable)
        return mv_file_write_atomic_volatile(path, xml, strlen(xml), 0600, error);
    return mv_file_write_atomic_spare(spares, path, xml, strlen(xml), 0600, error);
}

/*
 * Write @xml at @path in @dir.  The driver makes its directories at start;
 * one that went away since is made again (rather than checked before every
 * write).  @durable: fsync'ed (definitions, through @spares, files made in
 * advance: see mv_file_spares_new()) or not (runtime state, on a tmpfs: it
 * must survive a crash of the daemon, not of the machine).
 */
static gboolean
conf_write(const char *dir, MvFileSpares *spares, const char *path, const char *xml,
           gboolean durable, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (conf_write_once(spares, path, xml, durable, &local))
        return TRUE;
    if (g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    return mv_file_mkdir(dir, 0700, error) && conf_write_once(spares, path, xml, durable, error);
}

gboolean
qemu_conf_save_config(QemuDriver *drv, const DomainDef *def, GError **error)
{
    g_autofree char *path = conf_config_path(drv, def->name);
    g_autofree char *xml = domain_def_format(def, DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_SECURE);

    return conf_write(drv->config_dir, drv->config_spares, path, xml, TRUE, error);
}

gboolean
qemu_conf_delete_config(QemuDriver *drv, const char *name, GError **error)
{
    g_autofree char *path = conf_config_path(drv, name);
    g_autofree char *link = conf_autostart_path(drv, name);

    /* The definition's inode is kept for the next define (a spare). */
    return mv_file_unlink(link, error) &&
           mv_file_spares_recycle(drv->config_spares, path, error);
}

gboolean
qemu_conf_set_autostart(QemuDriver *drv, const char *name, gboolean autostart, GError **error)
{
    g_autofree char *link = conf_autostart_path(drv, name);
    g_autofree char *target = g_strdup_printf("../%s.xml", name);

    if (!autostart)
        return mv_file_unlink(link, error);
    if (!mv_file_mkdir(drv->autostart_dir, 0700, error))
        return FALSE;
    return mv_file_symlink_atomic(target, link, error);
}

gboolean
qemu_conf_get_autostart(QemuDriver *drv, const char *name)
{
    g_autofree char *link = conf_autostart_path(drv, name);

    return g_file_test(link, G_FILE_TEST_IS_SYMLINK);
}

/* "NAME.xml.XXXXXX": a temporary file of mv_file_write_atomic(). */
gboolean
qemu_conf_is_stale_temp(const char *entry)
{
    const char *dot = g_strrstr(entry, ".xml.");

    return dot && strlen(dot + 5) == 6 && !strchr(dot + 5, '.');
}

void
qemu_conf_load_configs(QemuDriver *drv)
{
    GDir *dir = g_dir_open(drv->config_dir, 0, NULL);
    const char *entry;

    if (!dir)
        return;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *expect = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuDomainObj) obj = NULL;
        DomainDef *def;

        if (qemu_conf_is_stale_temp(entry)) {
            /* Left by a write interrupted by a crash: the file it was to
             * replace is intact. */
            g_autofree char *tmp = g_build_filename(drv->config_dir, entry, NULL);

            g_unlink(tmp);
            continue;
        }
        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(drv->config_dir, entry, NULL);
        if (!g_file_get_contents(path, &xml, NULL, &error)) {
            g_warning("cannot read domain config %s: %s", path, error->message);
            continue;
        }
        def = domain_def_parse_string(xml, &drv->xmlopts, DOMAIN_PARSE_INACTIVE, &error);
        if (!def) {
            g_warning("ignoring broken domain config %s: %s", path, error->message);
            continue;
        }
        expect = g_strdup_printf("%s.xml", def->name);
        if (!g_str_equal(expect, entry)) {
            g_warning("ignoring domain config %s: it defines domain '%s'", path, def->name);
            domain_def_free(def);
            continue;
        }
        obj = qemu_domain_list_find_by_uuid(drv->domains, def->uuid, NULL);
        if (obj) {
            /* Running (from its status file): this is its persistent definition. */
            g_mutex_lock(&obj->lock);
            domain_def_free(obj->new_def);
            obj->new_def = def;
            obj->persistent = TRUE;
            obj->autostart = qemu_conf_get_autostart(drv, obj->name);
            g_mutex_unlock(&obj->lock);
            continue;
        }
        obj = qemu_domain_list_add(drv->domains, def, TRUE, &error);
        if (!obj) {
            g_warning("ignoring domain config %s: %s", path, error->message);
            continue;
        }
        obj->autostart = qemu_conf_get_autostart(drv, obj->name);
    }
    g_dir_close(dir);
}

/* ---- status ----------------------------------------------------------------- */

static void
conf_format_disk_source(XmlBuf *b, guint index, const char *dst, const QemuDiskSource *src)
{
    xml_buf_add(b, "<disk index='%u' dst='%s' type='%s'", index, dst ? dst : "",
                domain_disk_type_to_string(src->type));
    if (src->path)
        xml_buf_add(b, " path='%s'", src->path);
    if (src->protocol)
        xml_buf_add(b, " protocol='%s'", src->protocol);
    if (src->host)
        xml_buf_add(b, " host='%s' port='%u'", src->host, src->port);
    if (src->target)
        xml_buf_add(b, " target='%s' lun='%u'", src->target, src->lun);
    if (src->initiator)
        xml_buf_add(b, " initiator='%s'", src->initiator);
    if (src->user)
        xml_buf_add(b, " user='%s'", src->user);
    if (src->secret_file)
        xml_buf_add(b, " secret-file='%s'", src->secret_file);
    xml_buf_add(b, "/>\n");
}

static char *
conf_format_status(const DomainDef *def, const QemuDomainRuntime *rt, int state, int reason,
                   pid_t pid, guint64 start_time)
{
    XmlBuf b;

    xml_buf_init(&b);
    xml_buf_add(&b, "<domstatus state='%s' reason='%s' pid='%d' start-time='%" G_GUINT64_FORMAT
                "'>\n", qemu_state_to_string(state), qemu_state_reason_to_string(state, reason),
                (int)pid, start_time);
    xml_buf_indent(&b, 2);
    if (rt) {
        xml_buf_add(&b, "<monitor path='%s' type='unix'/>\n", rt->monitor_path);
        xml_buf_add(&b, "<runtime emulator='%s' version='%" G_GUINT64_FORMAT "' machine='%s' "
                    "domain-dir='%s' log='%s'%s/>\n", rt->emulator, rt->qemu_version,
                    rt->machine ? rt->machine : "", rt->domain_dir, rt->log_path,
                    rt->fake_reboot ? " fake-reboot='yes'" : "");
        if (rt->disk_sources) {
            xml_buf_add(&b, "<translations>\n");
            xml_buf_indent(&b, 2);
            for (guint i = 0; i < rt->disk_sources->len; i++) {
                const QemuDiskSource *src = g_ptr_array_index(rt->disk_sources, i);
                const DomainDiskDef *disk = i < def->disks->len
                                            ? g_ptr_array_index(def->disks, i) : NULL;

                if (src)
                    conf_format_disk_source(&b, i, disk ? disk->dst : NULL, src);
            }
            xml_buf_indent(&b, -2);
            xml_buf_add(&b, "</translations>\n");
        }
    }
    domain_def_format_buf(&b, def, DOMAIN_FORMAT_STATUS | DOMAIN_FORMAT_SECURE);
    xml_buf_indent(&b, -2);
    xml_buf_add(&b, "</domstatus>\n");
    return xml_buf_finish(&b);
}

static gboolean
conf_write_status(QemuDriver *drv, const char *name, const char *xml, GError **error)
{
    g_autofree char *path = conf_status_path(drv, name);

    return conf_write(drv->state_dir, NULL, path, xml, FALSE, error);
}

gboolean
qemu_conf_save_status_raw(QemuDriver *drv, const DomainDef *def, const QemuDomainRuntime *rt,
                          int state, int reason, pid_t pid, guint64 start_time, GError **error)
{
    g_autofree char *xml = conf_format_status(def, rt, state, reason, pid, start_time);

    return conf_write_status(drv, def->name, xml, error);
}

gboolean
qemu_conf_save_status(QemuDriver *drv, QemuDomainObj *obj, GError **error)
{
    g_autofree char *xml = NULL;
    gboolean ok = TRUE;
    guint64 seq;

    g_mutex_lock(&obj->lock);
    if (!qemu_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        return TRUE;
    }
    xml = conf_format_status(obj->def, obj->runtime, obj->state, obj->reason, obj->pid,
                             (guint64)obj->start_time);
    seq = ++obj->status_seq;
    g_mutex_unlock(&obj->lock);
    /* Snapshots are taken on several threads: an older one never
     * overwrites a newer one, nor brings back a deleted file. */
    g_mutex_lock(&obj->status_lock);
    if (seq > obj->status_written) {
        ok = conf_write_status(drv, obj->name, xml, error);
        if (ok)
            obj->status_written = seq;
    }
    g_mutex_unlock(&obj->status_lock);
    return ok;
}

void
qemu_conf_delete_status_of(QemuDriver *drv, QemuDomainObj *obj)
{
    g_mutex_lock(&obj->status_lock);
    g_mutex_lock(&obj->lock);
    obj->status_written = obj->status_seq;
    g_mutex_unlock(&obj->lock);
    qemu_conf_delete_status(drv, obj->name);
    g_mutex_unlock(&obj->status_lock);
}

void
qemu_conf_delete_status(QemuDriver *drv, const char *name)
{
    g_autofree char *path = conf_status_path(drv, name);
    g_autoptr(GError) error = NULL;

    if (!mv_file_unlink(path, &error))
        g_warning("domain '%s': %s", name, error->message);
}

void
qemu_status_clear(QemuStatus *st)
{
    g_clear_pointer(&st->def, domain_def_free);
    g_clear_pointer(&st->runtime, qemu_domain_runtime_free);
}

static QemuDiskSource *
conf_parse_disk_source(xmlNode *node, guint *ret_index, GError **error)
{
    QemuDiskSource *src = g_new0(QemuDiskSource, 1);
    g_autofree char *type = xml_get_prop(node, "type");
    guint port = 0, lun = 0;

    *ret_index = G_MAXUINT;
    if (!xml_prop_uint(node, "index", ret_index, error) || !xml_prop_uint(node, "port", &port, error) ||
        !xml_prop_uint(node, "lun", &lun, error) || *ret_index == G_MAXUINT) {
        if (error && !*error)
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                         "status: <disk> translation without an index");
        g_free(src);
        return NULL;
    }
    src->type = domain_disk_type_from_string(type);
    if ((int)src->type < 0)
        src->type = DOMAIN_DISK_TYPE_FILE;
    src->path = xml_get_prop(node, "path");
    src->protocol = xml_get_prop(node, "protocol");
    src->host = xml_get_prop(node, "host");
    src->port = port;
    src->target = xml_get_prop(node, "target");
    src->lun = lun;
    src->initiator = xml_get_prop(node, "initiator");
    src->user = xml_get_prop(node, "user");
    src->secret_file = xml_get_prop(node, "secret-file");
    return src;
}

gboolean
qemu_conf_load_status(QemuDriver *drv, const char *path, QemuStatus *ret, GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *state = NULL;
    g_autofree char *reason = NULL;
    xmlNode *root;
    xmlNode *node;
    QemuDomainRuntime *rt;
    int pid = 0;
    guint64 start = 0;

    memset(ret, 0, sizeof(*ret));
    if (!g_file_get_contents(path, &xml, NULL, NULL)) {
        mv_error_set_errno(error, errno, "cannot read status file '%s'", path);
        return FALSE;
    }
    if (!(doc = xml_parse_string(xml, "domstatus", "status", error)))
        return FALSE;
    root = xmlDocGetRootElement(doc);
    state = xml_get_prop(root, "state");
    reason = xml_get_prop(root, "reason");
    if (!xml_prop_int(root, "pid", &pid, error) ||
        !xml_prop_ullong(root, "start-time", &start, error))
        return FALSE;
    ret->state = qemu_state_from_string(state);
    if (ret->state < 0)
        ret->state = QEMU_STATE_RUNNING;
    ret->reason = qemu_state_reason_from_string(ret->state, reason);
    ret->pid = pid;
    ret->start_time = start;
    if (!(node = xml_child(root, "domain"))) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "status file '%s' has no <domain>", path);
        return FALSE;
    }
    if (!(ret->def = domain_def_parse_node(node, &drv->xmlopts, DOMAIN_PARSE_STATUS, error)))
        return FALSE;
    rt = ret->runtime = g_new0(QemuDomainRuntime, 1);
    rt->pidfd = -1;
    if ((node = xml_child(root, "monitor")))
        rt->monitor_path = xml_get_prop(node, "path");
    if ((node = xml_child(root, "runtime"))) {
        g_autofree char *reboot = NULL;
        guint64 v = 0;

        rt->emulator = xml_get_prop(node, "emulator");
        rt->machine = xml_get_prop(node, "machine");
        rt->domain_dir = xml_get_prop(node, "domain-dir");
        rt->log_path = xml_get_prop(node, "log");
        if (xml_prop_ullong(node, "version", &v, NULL))
            rt->qemu_version = v;
        reboot = xml_get_prop(node, "fake-reboot");
        rt->fake_reboot = g_strcmp0(reboot, "yes") == 0;
    }
    if ((node = xml_child(root, "translations"))) {
        g_autoptr(GPtrArray) disks = xml_children(node, "disk");

        rt->disk_sources = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_disk_source_free);
        g_ptr_array_set_size(rt->disk_sources, ret->def->disks->len);
        for (guint i = 0; i < disks->len; i++) {
            guint index;
            QemuDiskSource *src = conf_parse_disk_source(g_ptr_array_index(disks, i), &index,
                                                         error);

            if (!src) {
                qemu_status_clear(ret);
                return FALSE;
            }
            if (index >= rt->disk_sources->len) {
                qemu_disk_source_free(src);
                continue;
            }
            g_ptr_array_index(rt->disk_sources, index) = src;
        }
    }
    if (!rt->monitor_path) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "status file '%s' has no monitor path", path);
        qemu_status_clear(ret);
        return FALSE;
    }
    return TRUE;
}
