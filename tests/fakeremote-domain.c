/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote-domain.c: the fake remote server's domain procedures.
 */
#include <config.h>

#include <string.h>

#include "fakeremote-priv.h"
#include "util/uuid.h"

#define HANDLER(name) \
    static int name(MvServerCall *call, void *a, void *r, GError **error)
#define LOCKED(fr) \
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&(fr)->lock)

enum {
    ST_RUNNING = 1,
    ST_PAUSED = 3,
    ST_SHUTOFF = 5,
};

/* ---- helpers ------------------------------------------------------------ */

static void
dom_to_remote(FakeDom *dom, remote_nonnull_domain *out)
{
    out->name = g_strdup(dom->name);
    memcpy(out->uuid, dom->uuid, 16);
    out->id = dom->id;
}

static FakeDom *
dom_by_name(FakeRemote *fr, const char *name)
{
    for (guint i = 0; i < fr->doms->len; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (g_str_equal(dom->name, name))
            return dom;
    }
    return NULL;
}

static FakeDom *
dom_by_uuid(FakeRemote *fr, const unsigned char *uuid)
{
    for (guint i = 0; i < fr->doms->len; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (memcmp(dom->uuid, uuid, 16) == 0)
            return dom;
    }
    return NULL;
}

/* The domain a call is about, or NULL with NO_DOMAIN. */
static FakeDom *
dom_find(FakeRemote *fr, const remote_nonnull_domain *rdom, GError **error)
{
    FakeDom *dom = dom_by_uuid(fr, (const unsigned char *)rdom->uuid);
    char buf[37];

    if (!dom)
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN,
                     "no domain with matching uuid '%s' (%s)",
                     mv_uuid_format((const unsigned char *)rdom->uuid, buf), rdom->name);
    return dom;
}

static gboolean
dom_check_active(FakeDom *dom, gboolean want, GError **error)
{
    if ((dom->id != -1) == want)
        return TRUE;
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                 want ? "domain is not running" : "domain is already running");
    return FALSE;
}

static void
dom_set_state(FakeDom *dom, int state, int reason)
{
    dom->state = state;
    dom->reason = reason;
}

/* Stop @dom: inactive, console closed, gone if transient. */
static void
dom_stop(FakeRemote *fr, FakeDom *dom, int reason, int detail)
{
    dom->id = -1;
    dom_set_state(dom, ST_SHUTOFF, reason);
    if (dom->console) {
        mv_server_stream_send_eof(dom->console);
        g_clear_pointer(&dom->console, mv_server_stream_unref);
    }
    fake_emit_domain_lifecycle(fr, dom, 5, detail);
    if (!dom->persistent)
        g_ptr_array_remove(fr->doms, dom);
}

static void
dom_start(FakeRemote *fr, FakeDom *dom, gboolean paused)
{
    dom->id = fr->next_dom_id++;
    dom_set_state(dom, ST_RUNNING, 1);
    fake_emit_domain_lifecycle(fr, dom, 2, 0);
    if (paused) {
        dom_set_state(dom, ST_PAUSED, 1);
        fake_emit_domain_lifecycle(fr, dom, 3, 0);
    }
}

static unsigned long long
dom_memory_from_xml(const char *xml)
{
    g_autofree char *mem = fake_xml_element(xml, "memory");
    g_autofree char *unit = fake_xml_attr(xml, "memory", "unit");
    unsigned long long v = mem ? g_ascii_strtoull(mem, NULL, 10) : 65536;

    if (unit && (g_str_equal(unit, "MiB") || g_str_equal(unit, "M")))
        v *= 1024;
    else if (unit && (g_str_equal(unit, "GiB") || g_str_equal(unit, "G")))
        v *= 1024 * 1024;
    return v;
}

/* Define (or update) a domain from @xml; @ret_added tells which. */
static FakeDom *
dom_define(FakeRemote *fr, const char *xml, gboolean *ret_added, GError **error)
{
    g_autofree char *name = fake_xml_element(xml, "name");
    g_autofree char *uuid = fake_xml_element(xml, "uuid");
    g_autofree char *vcpu = fake_xml_element(xml, "vcpu");
    g_autofree char *title = fake_xml_element(xml, "title");
    FakeDom *dom;

    if (!g_str_has_prefix(g_strchug((char *)xml), "<domain") || !name || !*name) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR, "missing name information");
        return NULL;
    }
    dom = dom_by_name(fr, name);
    *ret_added = dom == NULL;
    if (!dom) {
        dom = fake_dom_add(fr, name, 0, 1, NULL);
        if (uuid)
            mv_uuid_parse(uuid, dom->uuid);
    }
    dom->memory = dom_memory_from_xml(xml);
    dom->vcpus = vcpu ? (unsigned int)g_ascii_strtoull(vcpu, NULL, 10) : 1;
    g_free(dom->title);
    dom->title = g_steal_pointer(&title);
    return dom;
}

/* ---- lookups and lists ------------------------------------------------------ */

HANDLER(h_lookup_by_id)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_lookup_by_id_args *args = a;
    remote_domain_lookup_by_id_ret *ret = r;
    LOCKED(fr);

    for (guint i = 0; i < fr->doms->len; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (dom->id == args->id && dom->id != -1) {
            dom_to_remote(dom, &ret->dom);
            return 0;
        }
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN, "no domain with matching id %d",
                 args->id);
    return -1;
}

HANDLER(h_lookup_by_name)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_lookup_by_name_args *args = a;
    remote_domain_lookup_by_name_ret *ret = r;
    LOCKED(fr);
    FakeDom *dom = dom_by_name(fr, args->name);

    /* A server that dies in the middle of a call. */
    if (g_str_equal(args->name, "hangup")) {
        mv_server_client_close(mv_server_call_get_client(call));
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR, "hung up");
        return -1;
    }
    if (!dom) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN, "no domain with matching name '%s'",
                     args->name);
        return -1;
    }
    dom_to_remote(dom, &ret->dom);
    return 0;
}

HANDLER(h_lookup_by_uuid)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_lookup_by_uuid_args *args = a;
    remote_domain_lookup_by_uuid_ret *ret = r;
    LOCKED(fr);
    FakeDom *dom = dom_by_uuid(fr, (unsigned char *)args->uuid);
    char buf[37];

    if (!dom) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_DOMAIN, "no domain with matching uuid '%s'",
                     mv_uuid_format((unsigned char *)args->uuid, buf));
        return -1;
    }
    dom_to_remote(dom, &ret->dom);
    return 0;
}

/* One group of filter bits: pass if none is set, or @yes/@no matches. */
static gboolean
dom_group(unsigned int flags, unsigned int yes_bit, unsigned int no_bit, gboolean value)
{
    if (!(flags & (yes_bit | no_bit)))
        return TRUE;
    return ((flags & yes_bit) && value) || ((flags & no_bit) && !value);
}

static gboolean
dom_matches(FakeDom *dom, unsigned int flags)
{
    gboolean other = dom->state != ST_RUNNING && dom->state != ST_PAUSED &&
                     dom->state != ST_SHUTOFF;

    if (flags & (16 | 32 | 64 | 128)) {
        if (!((flags & 16 && dom->state == ST_RUNNING) ||
              (flags & 32 && dom->state == ST_PAUSED) ||
              (flags & 64 && dom->state == ST_SHUTOFF) || (flags & 128 && other)))
            return FALSE;
    }
    return dom_group(flags, 1, 2, dom->id != -1) && dom_group(flags, 4, 8, dom->persistent) &&
           dom_group(flags, 256, 512, FALSE) && dom_group(flags, 1024, 2048, dom->autostart) &&
           dom_group(flags, 4096, 8192, FALSE) && dom_group(flags, 16384, 32768, FALSE);
}

HANDLER(h_list_all)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_list_all_domains_args *args = a;
    remote_connect_list_all_domains_ret *ret = r;
    LOCKED(fr);

    ret->domains.domains_val = g_new0(remote_nonnull_domain, fr->doms->len + 1);
    for (guint i = 0; i < fr->doms->len; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (dom_matches(dom, args->flags))
            dom_to_remote(dom, &ret->domains.domains_val[ret->domains.domains_len++]);
    }
    ret->ret = ret->domains.domains_len;
    if (!args->need_results) {
        for (u_int i = 0; i < ret->domains.domains_len; i++)
            g_free(ret->domains.domains_val[i].name);
        ret->domains.domains_len = 0;
    }
    return 0;
}

HANDLER(h_num_of_domains)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_num_of_domains_ret *ret = r;
    LOCKED(fr);

    for (guint i = 0; i < fr->doms->len; i++)
        ret->num += dom_matches(g_ptr_array_index(fr->doms, i), 1);
    return 0;
}

HANDLER(h_list_domains)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_list_domains_args *args = a;
    remote_connect_list_domains_ret *ret = r;
    LOCKED(fr);

    ret->ids.ids_val = g_new0(int, fr->doms->len + 1);
    for (guint i = 0; i < fr->doms->len && (int)ret->ids.ids_len < args->maxids; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (dom->id != -1)
            ret->ids.ids_val[ret->ids.ids_len++] = dom->id;
    }
    return 0;
}

HANDLER(h_num_of_defined)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_num_of_defined_domains_ret *ret = r;
    LOCKED(fr);

    for (guint i = 0; i < fr->doms->len; i++)
        ret->num += dom_matches(g_ptr_array_index(fr->doms, i), 2);
    return 0;
}

HANDLER(h_list_defined)
{
    FakeRemote *fr = fake_enter(call);
    remote_connect_list_defined_domains_args *args = a;
    remote_connect_list_defined_domains_ret *ret = r;
    LOCKED(fr);

    ret->names.names_val = g_new0(char *, fr->doms->len + 1);
    for (guint i = 0; i < fr->doms->len && (int)ret->names.names_len < args->maxnames; i++) {
        FakeDom *dom = g_ptr_array_index(fr->doms, i);

        if (dom->id == -1)
            ret->names.names_val[ret->names.names_len++] = g_strdup(dom->name);
    }
    return 0;
}

/* ---- define and lifecycle ------------------------------------------------------------ */

static int
do_define(FakeRemote *fr, const char *xml, remote_nonnull_domain *out, GError **error)
{
    gboolean added;
    FakeDom *dom = dom_define(fr, xml, &added, error);

    if (!dom)
        return -1;
    dom->persistent = TRUE;
    fake_emit_domain_lifecycle(fr, dom, 0, added ? 0 : 1);
    dom_to_remote(dom, out);
    return 0;
}

HANDLER(h_define)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_define_xml_args *args = a;
    LOCKED(fr);

    return do_define(fr, args->xml, &((remote_domain_define_xml_ret *)r)->dom, error);
}

HANDLER(h_define_flags)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_define_xml_flags_args *args = a;
    LOCKED(fr);

    if (args->flags & ~1u) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INVALID_ARG, "unsupported flags (0x%x)",
                     args->flags & ~1u);
        return -1;
    }
    return do_define(fr, args->xml, &((remote_domain_define_xml_flags_ret *)r)->dom, error);
}

static int
do_undefine(FakeRemote *fr, const remote_nonnull_domain *rdom, GError **error)
{
    FakeDom *dom = dom_find(fr, rdom, error);

    if (!dom)
        return -1;
    if (!dom->persistent) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "cannot undefine transient domain");
        return -1;
    }
    fake_emit_domain_lifecycle(fr, dom, 1, 0);
    if (dom->id != -1)
        dom->persistent = FALSE;
    else
        g_ptr_array_remove(fr->doms, dom);
    return 0;
}

HANDLER(h_undefine)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return do_undefine(fr, &((remote_domain_undefine_args *)a)->dom, error);
}

HANDLER(h_undefine_flags)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return do_undefine(fr, &((remote_domain_undefine_flags_args *)a)->dom, error);
}

/* Start @rdom with @flags (PAUSED, AUTODESTROY refused as unsupported). */
static FakeDom *
do_create(FakeRemote *fr, const remote_nonnull_domain *rdom, unsigned int flags,
          GError **error)
{
    FakeDom *dom = dom_find(fr, rdom, error);

    if (!dom || !dom_check_active(dom, FALSE, error))
        return NULL;
    if (flags & 2) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "autodestroy is not supported by the fake server");
        return NULL;
    }
    dom_start(fr, dom, (flags & 1) != 0);
    return dom;
}

HANDLER(h_create)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return do_create(fr, &((remote_domain_create_args *)a)->dom, 0, error) ? 0 : -1;
}

HANDLER(h_create_with_flags)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_create_with_flags_args *args = a;
    LOCKED(fr);
    FakeDom *dom = do_create(fr, &args->dom, args->flags, error);

    if (!dom)
        return -1;
    dom_to_remote(dom, &((remote_domain_create_with_flags_ret *)r)->dom);
    return 0;
}

HANDLER(h_create_xml)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_create_xml_args *args = a;
    g_autofree char *name = fake_xml_element(args->xml_desc, "name");
    LOCKED(fr);
    gboolean added;
    FakeDom *dom;

    if (name && dom_by_name(fr, name)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "domain '%s' already exists", name);
        return -1;
    }
    if (!(dom = dom_define(fr, args->xml_desc, &added, error)))
        return -1;
    dom->persistent = FALSE;
    dom_start(fr, dom, (args->flags & 1) != 0);
    dom_to_remote(dom, &((remote_domain_create_xml_ret *)r)->dom);
    return 0;
}

HANDLER(h_destroy)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_destroy_args *)a)->dom, error);

    if (!dom || !dom_check_active(dom, TRUE, error))
        return -1;
    dom_stop(fr, dom, 2, 1);
    return 0;
}

HANDLER(h_destroy_flags)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_destroy_flags_args *)a)->dom, error);

    if (!dom || !dom_check_active(dom, TRUE, error))
        return -1;
    dom_stop(fr, dom, 2, 1);
    return 0;
}

static int
do_shutdown(FakeRemote *fr, const remote_nonnull_domain *rdom, GError **error)
{
    FakeDom *dom = dom_find(fr, rdom, error);

    if (!dom || !dom_check_active(dom, TRUE, error))
        return -1;
    fake_emit_domain_lifecycle(fr, dom, 6, 0);
    dom_stop(fr, dom, 1, 0);
    return 0;
}

HANDLER(h_shutdown)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return do_shutdown(fr, &((remote_domain_shutdown_args *)a)->dom, error);
}

HANDLER(h_shutdown_flags)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_shutdown_flags_args *args = a;
    LOCKED(fr);

    if (args->flags & ~1u) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_ARGUMENT_UNSUPPORTED,
                     "only the acpi mode is supported");
        return -1;
    }
    return do_shutdown(fr, &args->dom, error);
}

static int
do_reboot(FakeRemote *fr, const remote_nonnull_domain *rdom, GError **error)
{
    FakeDom *dom = dom_find(fr, rdom, error);

    if (!dom || !dom_check_active(dom, TRUE, error))
        return -1;
    fake_emit_domain_reboot(fr, dom);
    return 0;
}

HANDLER(h_reboot)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return do_reboot(fr, &((remote_domain_reboot_args *)a)->dom, error);
}

HANDLER(h_reset)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return do_reboot(fr, &((remote_domain_reset_args *)a)->dom, error);
}

HANDLER(h_suspend)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_suspend_args *)a)->dom, error);

    if (!dom || !dom_check_active(dom, TRUE, error))
        return -1;
    dom_set_state(dom, ST_PAUSED, 1);
    fake_emit_domain_lifecycle(fr, dom, 3, 0);
    return 0;
}

HANDLER(h_resume)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_resume_args *)a)->dom, error);

    if (!dom || !dom_check_active(dom, TRUE, error))
        return -1;
    dom_set_state(dom, ST_RUNNING, 5);
    fake_emit_domain_lifecycle(fr, dom, 4, 0);
    return 0;
}

/* ---- information -------------------------------------------------------------------- */

HANDLER(h_get_info)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_get_info_ret *ret = r;
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_get_info_args *)a)->dom, error);

    if (!dom)
        return -1;
    ret->state = dom->state;
    ret->maxMem = dom->memory;
    ret->memory = dom->id != -1 ? dom->memory / 2 : dom->memory;
    ret->nrVirtCpu = dom->vcpus;
    ret->cpuTime = dom->id != -1 ? 1500000000ULL * dom->id : 0;
    return 0;
}

HANDLER(h_get_state)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_get_state_ret *ret = r;
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_get_state_args *)a)->dom, error);

    if (!dom)
        return -1;
    ret->state = dom->state;
    ret->reason = dom->reason;
    return 0;
}

HANDLER(h_get_xml_desc)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_get_xml_desc_args *args = a;
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &args->dom, error);
    g_autofree char *idattr = NULL;
    g_autofree char *title = NULL;
    char uuid[37];

    if (!dom)
        return -1;
    if (dom->id != -1 && !(args->flags & 2))
        idattr = g_strdup_printf(" id='%d'", dom->id);
    if (dom->title)
        title = g_strdup_printf("  <title>%s</title>\n", dom->title);
    ((remote_domain_get_xml_desc_ret *)r)->xml =
        g_strdup_printf("<domain type='kvm'%s>\n  <name>%s</name>\n  <uuid>%s</uuid>\n%s"
                        "  <memory unit='KiB'>%llu</memory>\n"
                        "  <currentMemory unit='KiB'>%llu</currentMemory>\n"
                        "  <vcpu placement='static'>%u</vcpu>\n  <os>\n"
                        "    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n</domain>\n",
                        idattr ? idattr : "", dom->name, mv_uuid_format(dom->uuid, uuid),
                        title ? title : "", dom->memory, dom->memory, dom->vcpus);
    return 0;
}

HANDLER(h_get_autostart)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_get_autostart_args *)a)->dom, error);

    if (!dom)
        return -1;
    ((remote_domain_get_autostart_ret *)r)->autostart = dom->autostart;
    return 0;
}

HANDLER(h_set_autostart)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_set_autostart_args *args = a;
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &args->dom, error);

    if (!dom)
        return -1;
    if (!dom->persistent) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_INVALID,
                     "cannot set autostart for transient domain");
        return -1;
    }
    dom->autostart = args->autostart != 0;
    return 0;
}

HANDLER(h_is_active)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_is_active_args *)a)->dom, error);

    if (!dom)
        return -1;
    ((remote_domain_is_active_ret *)r)->active = dom->id != -1;
    return 0;
}

HANDLER(h_is_persistent)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_is_persistent_args *)a)->dom, error);

    if (!dom)
        return -1;
    ((remote_domain_is_persistent_ret *)r)->persistent = dom->persistent;
    return 0;
}

HANDLER(h_get_max_memory)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_get_max_memory_args *)a)->dom, error);

    if (!dom)
        return -1;
    ((remote_domain_get_max_memory_ret *)r)->memory = dom->memory;
    return 0;
}

HANDLER(h_get_os_type)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_get_os_type_args *)a)->dom, error);

    if (!dom)
        return -1;
    ((remote_domain_get_os_type_ret *)r)->type = g_strdup("hvm");
    return 0;
}

HANDLER(h_has_managed_save)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return dom_find(fr, &((remote_domain_has_managed_save_image_args *)a)->dom, error) ? 0 : -1;
}

HANDLER(h_snapshot_num)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return dom_find(fr, &((remote_domain_snapshot_num_args *)a)->dom, error) ? 0 : -1;
}

HANDLER(h_get_messages)
{
    FakeRemote *fr = fake_enter(call);
    LOCKED(fr);

    return dom_find(fr, &((remote_domain_get_messages_args *)a)->dom, error) ? 0 : -1;
}

/* A counted char array as the protocol carries strings there: with the NUL. */
static void
dom_char_array(const char *s, u_int *len, char **val)
{
    *len = strlen(s) + 1;
    *val = g_strdup(s);
}

HANDLER(h_node_security_model)
{
    remote_node_get_security_model_ret *ret = r;

    fake_enter(call);
    dom_char_array("fakesec", &ret->model.model_len, &ret->model.model_val);
    dom_char_array("0", &ret->doi.doi_len, &ret->doi.doi_val);
    return 0;
}

HANDLER(h_get_security_label)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_get_security_label_ret *ret = r;
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &((remote_domain_get_security_label_args *)a)->dom, error);
    g_autofree char *label = NULL;

    if (!dom)
        return -1;
    if (dom->id != -1) {
        label = g_strdup_printf("fake-label-%d", dom->id);
        dom_char_array(label, &ret->label.label_len, &ret->label.label_val);
        ret->enforcing = 1;
    }
    return 0;
}

HANDLER(h_get_metadata)
{
    FakeRemote *fr = fake_enter(call);
    remote_domain_get_metadata_args *args = a;
    LOCKED(fr);
    FakeDom *dom = dom_find(fr, &args->dom, error);

    if (!dom)
        return -1;
    if (args->type != 1 || !dom->title) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_NO_DOMAIN_METADATA,
                     "Requested metadata element is not present");
        return -1;
    }
    ((remote_domain_get_metadata_ret *)r)->metadata = g_strdup(dom->title);
    return 0;
}

void
fake_domain_register(FakeRemote *fr)
{
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, h_lookup_by_id,
              remote_domain_lookup_by_id_args, remote_domain_lookup_by_id_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, h_lookup_by_name,
              remote_domain_lookup_by_name_args, remote_domain_lookup_by_name_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, h_lookup_by_uuid,
              remote_domain_lookup_by_uuid_args, remote_domain_lookup_by_uuid_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, h_list_all,
              remote_connect_list_all_domains_args, remote_connect_list_all_domains_ret);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, h_num_of_domains,
                     remote_connect_num_of_domains_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_LIST_DOMAINS, h_list_domains,
              remote_connect_list_domains_args, remote_connect_list_domains_ret);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, h_num_of_defined,
                     remote_connect_num_of_defined_domains_ret);
    FAKE_PROC(fr, REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, h_list_defined,
              remote_connect_list_defined_domains_args, remote_connect_list_defined_domains_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_DEFINE_XML, h_define, remote_domain_define_xml_args,
              remote_domain_define_xml_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, h_define_flags,
              remote_domain_define_xml_flags_args, remote_domain_define_xml_flags_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_UNDEFINE, h_undefine, remote_domain_undefine_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, h_undefine_flags,
                    remote_domain_undefine_flags_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_CREATE, h_create, remote_domain_create_args);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, h_create_with_flags,
              remote_domain_create_with_flags_args, remote_domain_create_with_flags_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_CREATE_XML, h_create_xml, remote_domain_create_xml_args,
              remote_domain_create_xml_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_DESTROY, h_destroy, remote_domain_destroy_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_DESTROY_FLAGS, h_destroy_flags,
                    remote_domain_destroy_flags_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_SHUTDOWN, h_shutdown, remote_domain_shutdown_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, h_shutdown_flags,
                    remote_domain_shutdown_flags_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_REBOOT, h_reboot, remote_domain_reboot_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_RESET, h_reset, remote_domain_reset_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_SUSPEND, h_suspend, remote_domain_suspend_args);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_RESUME, h_resume, remote_domain_resume_args);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_INFO, h_get_info, remote_domain_get_info_args,
              remote_domain_get_info_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_STATE, h_get_state, remote_domain_get_state_args,
              remote_domain_get_state_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_XML_DESC, h_get_xml_desc,
              remote_domain_get_xml_desc_args, remote_domain_get_xml_desc_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_AUTOSTART, h_get_autostart,
              remote_domain_get_autostart_args, remote_domain_get_autostart_ret);
    FAKE_PROC_NORET(fr, REMOTE_PROC_DOMAIN_SET_AUTOSTART, h_set_autostart,
                    remote_domain_set_autostart_args);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_IS_ACTIVE, h_is_active, remote_domain_is_active_args,
              remote_domain_is_active_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_IS_PERSISTENT, h_is_persistent,
              remote_domain_is_persistent_args, remote_domain_is_persistent_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_MAX_MEMORY, h_get_max_memory,
              remote_domain_get_max_memory_args, remote_domain_get_max_memory_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_OS_TYPE, h_get_os_type,
              remote_domain_get_os_type_args, remote_domain_get_os_type_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, h_has_managed_save,
              remote_domain_has_managed_save_image_args,
              remote_domain_has_managed_save_image_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_SNAPSHOT_NUM, h_snapshot_num,
              remote_domain_snapshot_num_args, remote_domain_snapshot_num_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_MESSAGES, h_get_messages,
              remote_domain_get_messages_args, remote_domain_get_messages_ret);
    FAKE_PROC_NOARGS(fr, REMOTE_PROC_NODE_GET_SECURITY_MODEL, h_node_security_model,
                     remote_node_get_security_model_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, h_get_security_label,
              remote_domain_get_security_label_args, remote_domain_get_security_label_ret);
    FAKE_PROC(fr, REMOTE_PROC_DOMAIN_GET_METADATA, h_get_metadata,
              remote_domain_get_metadata_args, remote_domain_get_metadata_ret);
    fake_domain_register_more(fr);
}
