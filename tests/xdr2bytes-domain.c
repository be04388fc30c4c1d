/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytes-domain.c: vectors of the domain and domain event messages of the
 * remote program.  See xdr2bytes.h and, for the shapes, xdr2bytes-remote.h.
 */
#include <string.h>

#include <glib.h>

#include "remote-protocol.h"
#include "xdr2bytes-remote.h"
#include "xdr2bytes.h"

#define S(lit) XV_S(lit)

/*----- Shared shapes. -----*/

XV_SHAPE_DOM(remote_domain_lookup_by_id_ret)
XV_SHAPE_DOM(remote_domain_lookup_by_name_ret)
XV_SHAPE_DOM(remote_domain_lookup_by_uuid_ret)
XV_SHAPE_DOM(remote_domain_define_xml_ret)
XV_SHAPE_DOM(remote_domain_define_xml_flags_ret)
XV_SHAPE_DOM(remote_domain_undefine_args)
XV_SHAPE_DOM(remote_domain_create_args)
XV_SHAPE_DOM(remote_domain_create_with_flags_ret)
XV_SHAPE_DOM(remote_domain_create_xml_ret)
XV_SHAPE_DOM(remote_domain_destroy_args)
XV_SHAPE_DOM(remote_domain_shutdown_args)
XV_SHAPE_DOM(remote_domain_suspend_args)
XV_SHAPE_DOM(remote_domain_resume_args)
XV_SHAPE_DOM(remote_domain_get_info_args)
XV_SHAPE_DOM(remote_domain_get_autostart_args)
XV_SHAPE_DOM(remote_domain_is_active_args)
XV_SHAPE_DOM(remote_domain_is_persistent_args)
XV_SHAPE_DOM(remote_domain_get_max_memory_args)
XV_SHAPE_DOM(remote_domain_get_os_type_args)
XV_SHAPE_DOM(remote_domain_get_security_label_args)

XV_SHAPE_DOM_FLAGS(remote_domain_undefine_flags_args)
XV_SHAPE_DOM_FLAGS(remote_domain_create_with_flags_args)
XV_SHAPE_DOM_FLAGS(remote_domain_destroy_flags_args)
XV_SHAPE_DOM_FLAGS(remote_domain_shutdown_flags_args)
XV_SHAPE_DOM_FLAGS(remote_domain_reboot_args)
XV_SHAPE_DOM_FLAGS(remote_domain_reset_args)
XV_SHAPE_DOM_FLAGS(remote_domain_get_state_args)
XV_SHAPE_DOM_FLAGS(remote_domain_get_xml_desc_args)
XV_SHAPE_DOM_FLAGS(remote_domain_has_managed_save_image_args)
XV_SHAPE_DOM_FLAGS(remote_domain_managed_save_remove_args)
XV_SHAPE_DOM_FLAGS(remote_domain_snapshot_num_args)
XV_SHAPE_DOM_FLAGS(remote_domain_get_messages_args)
XV_SHAPE_DOM_FLAGS(remote_domain_get_vcpus_flags_args)

XV_SHAPE_INT(remote_connect_num_of_domains_ret, num)
XV_SHAPE_INT(remote_connect_list_domains_args, maxids)
XV_SHAPE_INT(remote_connect_num_of_defined_domains_ret, num)
XV_SHAPE_INT(remote_connect_list_defined_domains_args, maxnames)
XV_SHAPE_INT(remote_domain_lookup_by_id_args, id)
XV_SHAPE_INT(remote_domain_get_autostart_ret, autostart)
XV_SHAPE_INT(remote_domain_is_active_ret, active)
XV_SHAPE_INT(remote_domain_is_persistent_ret, persistent)
XV_SHAPE_INT(remote_domain_has_managed_save_image_ret, result)
XV_SHAPE_INT(remote_domain_snapshot_num_ret, num)
XV_SHAPE_INT(remote_domain_get_vcpus_flags_ret, num)
XV_SHAPE_INT(remote_connect_domain_event_register_ret, cb_registered)
XV_SHAPE_INT(remote_connect_domain_event_deregister_ret, cb_registered)
XV_SHAPE_INT(remote_connect_domain_event_register_any_args, eventID)
XV_SHAPE_INT(remote_connect_domain_event_deregister_any_args, eventID)
XV_SHAPE_INT(remote_connect_domain_event_callback_register_any_ret, callbackID)
XV_SHAPE_INT(remote_connect_domain_event_callback_deregister_any_args, callbackID)

XV_SHAPE_STR(remote_domain_lookup_by_name_args, name)
XV_SHAPE_STR(remote_domain_define_xml_args, xml)
XV_SHAPE_STR(remote_domain_get_xml_desc_ret, xml)
XV_SHAPE_STR(remote_domain_get_os_type_ret, type)
XV_SHAPE_STR(remote_domain_get_metadata_ret, metadata)

XV_SHAPE_STR_FLAGS(remote_domain_define_xml_flags_args, xml)
XV_SHAPE_STR_FLAGS(remote_domain_create_xml_args, xml_desc)

XV_SHAPE_UUID(remote_domain_lookup_by_uuid_args)

XV_SHAPE_NAMES(remote_connect_list_defined_domains_ret, names)
XV_SHAPE_NAMES(remote_domain_get_messages_ret, msgs)

XV_SHAPE_LIST_ALL(remote_connect_list_all_domains_args)

/*----- Messages of their own. -----*/

static void
build_list_all_domains_ret(void *obj)
{
    static remote_nonnull_domain doms[2];
    remote_connect_list_all_domains_ret *r = obj;

    xv_build_dom(&doms[0]);
    xv_build_dom(&doms[1]);
    doms[1].name = S("web");
    doms[1].id = -1;
    r->domains.domains_len = 2;
    r->domains.domains_val = doms;
    r->ret = 2;
}

static void
eq_remote_connect_list_all_domains_ret(const void *pa, const void *pb)
{
    const remote_connect_list_all_domains_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->domains.domains_len, ==, b->domains.domains_len);
    for (u_int i = 0; i < a->domains.domains_len; i++)
        xv_eq_dom(&a->domains.domains_val[i], &b->domains.domains_val[i]);
    g_assert_cmpuint(a->ret, ==, b->ret);
}

static void
build_list_domains_ret(void *obj)
{
    static int ids[] = { 1, 5 };
    remote_connect_list_domains_ret *r = obj;

    r->ids.ids_len = 2;
    r->ids.ids_val = ids;
}

static void
eq_remote_connect_list_domains_ret(const void *pa, const void *pb)
{
    const remote_connect_list_domains_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->ids.ids_len, ==, b->ids.ids_len);
    for (u_int i = 0; i < a->ids.ids_len; i++)
        g_assert_cmpint(a->ids.ids_val[i], ==, b->ids.ids_val[i]);
}

static void
build_get_info_ret(void *obj)
{
    remote_domain_get_info_ret *r = obj;

    r->state = 1;                                   /* RUNNING */
    r->maxMem = 0x200000;                           /* KiB */
    r->memory = 0x100000;
    r->nrVirtCpu = 2;
    r->cpuTime = G_GUINT64_CONSTANT(0x2dfdc1c35);   /* ns */
}

static void
eq_remote_domain_get_info_ret(const void *pa, const void *pb)
{
    const remote_domain_get_info_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->state, ==, b->state);
    g_assert_cmpuint(a->maxMem, ==, b->maxMem);
    g_assert_cmpuint(a->memory, ==, b->memory);
    g_assert_cmpuint(a->nrVirtCpu, ==, b->nrVirtCpu);
    g_assert_cmpuint(a->cpuTime, ==, b->cpuTime);
}

static void
build_get_state_ret(void *obj)
{
    remote_domain_get_state_ret *r = obj;

    r->state = 3;    /* PAUSED */
    r->reason = 1;   /* USER */
}

static void
eq_remote_domain_get_state_ret(const void *pa, const void *pb)
{
    const remote_domain_get_state_ret *a = pa, *b = pb;

    g_assert_cmpint(a->state, ==, b->state);
    g_assert_cmpint(a->reason, ==, b->reason);
}

static void
build_get_max_memory_ret(void *obj)
{
    ((remote_domain_get_max_memory_ret *)obj)->memory = 0x100000;
}

static void
eq_remote_domain_get_max_memory_ret(const void *pa, const void *pb)
{
    g_assert_cmpuint(((const remote_domain_get_max_memory_ret *)pa)->memory, ==,
                     ((const remote_domain_get_max_memory_ret *)pb)->memory);
}

static void
build_set_autostart_args(void *obj)
{
    remote_domain_set_autostart_args *a = obj;

    xv_build_dom(&a->dom);
    a->autostart = 1;
}

static void
eq_remote_domain_set_autostart_args(const void *pa, const void *pb)
{
    const remote_domain_set_autostart_args *a = pa, *b = pb;

    xv_eq_dom(&a->dom, &b->dom);
    g_assert_cmpint(a->autostart, ==, b->autostart);
}

static void
build_security_label_ret(void *obj)
{
    /* NB: writable, tirpc's xdr_char() stores back even when encoding. */
    static char label[] = "unconfined";
    remote_domain_get_security_label_ret *r = obj;

    r->label.label_len = sizeof(label);
    r->label.label_val = label;
    r->enforcing = 0;
}

static void
eq_remote_domain_get_security_label_ret(const void *pa, const void *pb)
{
    const remote_domain_get_security_label_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->label.label_len, ==, b->label.label_len);
    xv_eq_bytes(a->label.label_val, b->label.label_val, a->label.label_len);
    g_assert_cmpint(a->enforcing, ==, b->enforcing);
}

static void
build_get_metadata_args(void *obj)
{
    static char *uri = S("http://x/");
    remote_domain_get_metadata_args *a = obj;

    xv_build_dom(&a->dom);
    a->type = 2;   /* ELEMENT */
    a->uri = &uri;
    a->flags = 0;
}

static void
eq_remote_domain_get_metadata_args(const void *pa, const void *pb)
{
    const remote_domain_get_metadata_args *a = pa, *b = pb;

    xv_eq_dom(&a->dom, &b->dom);
    g_assert_cmpint(a->type, ==, b->type);
    xv_eq_optstr(a->uri, b->uri);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_interface_stats_args(void *obj)
{
    remote_domain_interface_stats_args *a = obj;

    xv_build_dom(&a->dom);
    a->path = S("vnet0");
}

static void
eq_remote_domain_interface_stats_args(const void *pa, const void *pb)
{
    const remote_domain_interface_stats_args *a = pa, *b = pb;

    xv_eq_dom(&a->dom, &b->dom);
    xv_eq_str(a->path, b->path);
}

static void
build_interface_stats_ret(void *obj)
{
    remote_domain_interface_stats_ret *r = obj;

    r->rx_bytes = G_GINT64_CONSTANT(5000000000);
    r->rx_packets = 0xabcd;
    r->rx_errs = -1;
    r->rx_drop = 3;
    r->tx_bytes = 0x10000;
    r->tx_packets = 0x100;
    r->tx_errs = 0;
    r->tx_drop = 1;
}

static void
eq_remote_domain_interface_stats_ret(const void *pa, const void *pb)
{
    const remote_domain_interface_stats_ret *a = pa, *b = pb;

    g_assert_cmpint(a->rx_bytes, ==, b->rx_bytes);
    g_assert_cmpint(a->rx_packets, ==, b->rx_packets);
    g_assert_cmpint(a->rx_errs, ==, b->rx_errs);
    g_assert_cmpint(a->rx_drop, ==, b->rx_drop);
    g_assert_cmpint(a->tx_bytes, ==, b->tx_bytes);
    g_assert_cmpint(a->tx_packets, ==, b->tx_packets);
    g_assert_cmpint(a->tx_errs, ==, b->tx_errs);
    g_assert_cmpint(a->tx_drop, ==, b->tx_drop);
}

static void
build_open_console_args(void *obj)
{
    remote_domain_open_console_args *a = obj;

    xv_build_dom(&a->dom);
    a->dev_name = NULL;
    a->flags = 2;   /* SAFE */
}

static void
eq_remote_domain_open_console_args(const void *pa, const void *pb)
{
    const remote_domain_open_console_args *a = pa, *b = pb;

    xv_eq_dom(&a->dom, &b->dom);
    xv_eq_optstr(a->dev_name, b->dev_name);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_all_domain_stats_args(void *obj)
{
    static remote_nonnull_domain doms[1];
    remote_connect_get_all_domain_stats_args *a = obj;

    xv_build_dom(&doms[0]);
    a->doms.doms_len = 1;
    a->doms.doms_val = doms;
    a->stats = 1;   /* STATE */
    a->flags = 0;
}

static void
eq_remote_connect_get_all_domain_stats_args(const void *pa, const void *pb)
{
    const remote_connect_get_all_domain_stats_args *a = pa, *b = pb;

    g_assert_cmpuint(a->doms.doms_len, ==, b->doms.doms_len);
    for (u_int i = 0; i < a->doms.doms_len; i++)
        xv_eq_dom(&a->doms.doms_val[i], &b->doms.doms_val[i]);
    g_assert_cmpuint(a->stats, ==, b->stats);
    g_assert_cmpuint(a->flags, ==, b->flags);
}

static void
build_all_domain_stats_ret(void *obj)
{
    static remote_typed_param params[2];
    static remote_domain_stats_record records[1];
    remote_connect_get_all_domain_stats_ret *r = obj;

    params[0].field = S("state.state");
    params[0].value.type = 1;
    params[0].value.remote_typed_param_value_u.i = 1;
    params[1].field = S("state.reason");
    params[1].value.type = 1;
    params[1].value.remote_typed_param_value_u.i = 1;
    xv_build_dom(&records[0].dom);
    records[0].params.params_len = 2;
    records[0].params.params_val = params;
    r->retStats.retStats_len = 1;
    r->retStats.retStats_val = records;
}

static void
eq_remote_connect_get_all_domain_stats_ret(const void *pa, const void *pb)
{
    const remote_connect_get_all_domain_stats_ret *a = pa, *b = pb;

    g_assert_cmpuint(a->retStats.retStats_len, ==, b->retStats.retStats_len);
    for (u_int i = 0; i < a->retStats.retStats_len; i++) {
        const remote_domain_stats_record *ra = &a->retStats.retStats_val[i];
        const remote_domain_stats_record *rb = &b->retStats.retStats_val[i];

        xv_eq_dom(&ra->dom, &rb->dom);
        g_assert_cmpuint(ra->params.params_len, ==, rb->params.params_len);
        for (u_int j = 0; j < ra->params.params_len; j++)
            xv_eq_typed_param(&ra->params.params_val[j], &rb->params.params_val[j]);
    }
}

static void
build_callback_register_any_all(void *obj)
{
    remote_connect_domain_event_callback_register_any_args *a = obj;

    a->eventID = 0;   /* LIFECYCLE */
    a->dom = NULL;
}

static void
build_callback_register_any_dom(void *obj)
{
    static remote_nonnull_domain dom;
    remote_connect_domain_event_callback_register_any_args *a = obj;

    xv_build_dom(&dom);
    a->eventID = 0;
    a->dom = &dom;
}

static void
eq_remote_connect_domain_event_callback_register_any_args(const void *pa, const void *pb)
{
    const remote_connect_domain_event_callback_register_any_args *a = pa, *b = pb;

    g_assert_cmpint(a->eventID, ==, b->eventID);
    g_assert_true(!a->dom == !b->dom);
    if (a->dom)
        xv_eq_dom(a->dom, b->dom);
}

static void
build_callback_lifecycle_msg(void *obj)
{
    remote_domain_event_callback_lifecycle_msg *m = obj;

    m->callbackID = 1;
    xv_build_dom(&m->msg.dom);
    m->msg.event = 2;    /* STARTED */
    m->msg.detail = 0;   /* BOOTED */
}

static void
eq_remote_domain_event_callback_lifecycle_msg(const void *pa, const void *pb)
{
    const remote_domain_event_callback_lifecycle_msg *a = pa, *b = pb;

    g_assert_cmpint(a->callbackID, ==, b->callbackID);
    xv_eq_dom(&a->msg.dom, &b->msg.dom);
    g_assert_cmpint(a->msg.event, ==, b->msg.event);
    g_assert_cmpint(a->msg.detail, ==, b->msg.detail);
}

/* The event virsh printed as "event 'lifecycle' for domain 'demo': Started
 * Booted" (3.10). */
static const MvMessageHeader hdr_callback_lifecycle = {
    REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
    MV_NET_MESSAGE, 1, MV_NET_OK
};

#define SHAPE(file, type) XV_PAYLOAD(file, type, type)

const XdrVector xdr2bytes_domain_vectors[] = {
    SHAPE("remote-nonnull-domain", remote_domain_lookup_by_id_ret),
    SHAPE("remote-nonnull-domain", remote_domain_lookup_by_name_ret),
    SHAPE("remote-nonnull-domain", remote_domain_lookup_by_uuid_ret),
    SHAPE("remote-nonnull-domain", remote_domain_define_xml_ret),
    SHAPE("remote-nonnull-domain", remote_domain_define_xml_flags_ret),
    SHAPE("remote-nonnull-domain", remote_domain_undefine_args),
    SHAPE("remote-nonnull-domain", remote_domain_create_args),
    SHAPE("remote-nonnull-domain", remote_domain_create_with_flags_ret),
    SHAPE("remote-nonnull-domain", remote_domain_create_xml_ret),
    SHAPE("remote-nonnull-domain", remote_domain_destroy_args),
    SHAPE("remote-nonnull-domain", remote_domain_shutdown_args),
    SHAPE("remote-nonnull-domain", remote_domain_suspend_args),
    SHAPE("remote-nonnull-domain", remote_domain_resume_args),
    SHAPE("remote-nonnull-domain", remote_domain_get_info_args),
    SHAPE("remote-nonnull-domain", remote_domain_get_autostart_args),
    SHAPE("remote-nonnull-domain", remote_domain_is_active_args),
    SHAPE("remote-nonnull-domain", remote_domain_is_persistent_args),
    SHAPE("remote-nonnull-domain", remote_domain_get_max_memory_args),
    SHAPE("remote-nonnull-domain", remote_domain_get_os_type_args),
    SHAPE("remote-nonnull-domain", remote_domain_get_security_label_args),
    SHAPE("remote-dom-flags", remote_domain_undefine_flags_args),
    SHAPE("remote-dom-flags", remote_domain_create_with_flags_args),
    SHAPE("remote-dom-flags", remote_domain_destroy_flags_args),
    SHAPE("remote-dom-flags", remote_domain_shutdown_flags_args),
    SHAPE("remote-dom-flags", remote_domain_reboot_args),
    SHAPE("remote-dom-flags", remote_domain_reset_args),
    SHAPE("remote-dom-flags", remote_domain_get_state_args),
    SHAPE("remote-dom-flags", remote_domain_get_xml_desc_args),
    SHAPE("remote-dom-flags", remote_domain_has_managed_save_image_args),
    SHAPE("remote-dom-flags", remote_domain_managed_save_remove_args),
    SHAPE("remote-dom-flags", remote_domain_snapshot_num_args),
    SHAPE("remote-dom-flags", remote_domain_get_messages_args),
    SHAPE("remote-dom-flags", remote_domain_get_vcpus_flags_args),
    SHAPE("remote-int", remote_connect_num_of_domains_ret),
    SHAPE("remote-int", remote_connect_list_domains_args),
    SHAPE("remote-int", remote_connect_num_of_defined_domains_ret),
    SHAPE("remote-int", remote_connect_list_defined_domains_args),
    SHAPE("remote-int", remote_domain_lookup_by_id_args),
    SHAPE("remote-int", remote_domain_get_autostart_ret),
    SHAPE("remote-int", remote_domain_is_active_ret),
    SHAPE("remote-int", remote_domain_is_persistent_ret),
    SHAPE("remote-int", remote_domain_has_managed_save_image_ret),
    SHAPE("remote-int", remote_domain_snapshot_num_ret),
    SHAPE("remote-int", remote_domain_get_vcpus_flags_ret),
    SHAPE("remote-int", remote_connect_domain_event_register_ret),
    SHAPE("remote-int", remote_connect_domain_event_deregister_ret),
    SHAPE("remote-int", remote_connect_domain_event_register_any_args),
    SHAPE("remote-int", remote_connect_domain_event_deregister_any_args),
    SHAPE("remote-int", remote_connect_domain_event_callback_register_any_ret),
    SHAPE("remote-int", remote_connect_domain_event_callback_deregister_any_args),
    SHAPE("remote-nstr", remote_domain_lookup_by_name_args),
    SHAPE("remote-nstr", remote_domain_define_xml_args),
    SHAPE("remote-nstr", remote_domain_get_xml_desc_ret),
    SHAPE("remote-nstr", remote_domain_get_os_type_ret),
    SHAPE("remote-nstr", remote_domain_get_metadata_ret),
    SHAPE("remote-nstr-flags", remote_domain_define_xml_flags_args),
    SHAPE("remote-nstr-flags", remote_domain_create_xml_args),
    SHAPE("remote-uuid", remote_domain_lookup_by_uuid_args),
    SHAPE("remote-names", remote_connect_list_defined_domains_ret),
    SHAPE("remote-names", remote_domain_get_messages_ret),
    SHAPE("remote-list-all-args", remote_connect_list_all_domains_args),
    XV_PAYLOAD("remote-connect-list-all-domains-ret", remote_connect_list_all_domains_ret,
               list_all_domains_ret),
    XV_PAYLOAD("remote-connect-list-domains-ret", remote_connect_list_domains_ret,
               list_domains_ret),
    XV_PAYLOAD("remote-domain-get-info-ret", remote_domain_get_info_ret, get_info_ret),
    XV_PAYLOAD("remote-domain-get-state-ret", remote_domain_get_state_ret, get_state_ret),
    XV_PAYLOAD("remote-domain-get-max-memory-ret", remote_domain_get_max_memory_ret,
               get_max_memory_ret),
    XV_PAYLOAD("remote-domain-set-autostart-args", remote_domain_set_autostart_args,
               set_autostart_args),
    XV_PAYLOAD("remote-domain-get-security-label-ret", remote_domain_get_security_label_ret,
               security_label_ret),
    XV_PAYLOAD("remote-domain-get-metadata-args", remote_domain_get_metadata_args,
               get_metadata_args),
    XV_PAYLOAD("remote-domain-open-console-args", remote_domain_open_console_args,
               open_console_args),
    XV_PAYLOAD("remote-domain-interface-stats-args", remote_domain_interface_stats_args,
               interface_stats_args),
    XV_PAYLOAD("remote-domain-interface-stats-ret", remote_domain_interface_stats_ret,
               interface_stats_ret),
    XV_PAYLOAD("remote-connect-get-all-domain-stats-args",
               remote_connect_get_all_domain_stats_args, all_domain_stats_args),
    XV_PAYLOAD("remote-connect-get-all-domain-stats-ret",
               remote_connect_get_all_domain_stats_ret, all_domain_stats_ret),
    XV_PAYLOAD("remote-connect-domain-event-callback-register-any-args",
               remote_connect_domain_event_callback_register_any_args,
               callback_register_any_all),
    XV_PAYLOAD("remote-connect-domain-event-callback-register-any-args-dom",
               remote_connect_domain_event_callback_register_any_args,
               callback_register_any_dom),
    XV_PACKET("remote-domain-event-callback-lifecycle", hdr_callback_lifecycle,
              remote_domain_event_callback_lifecycle_msg, callback_lifecycle_msg),
    /* Limits. */
    XV_BAD("remote-connect-list-all-domains-ret-over-limit", remote_connect_list_all_domains_ret),
    XV_BAD("remote-domain-get-security-label-ret-over-limit",
           remote_domain_get_security_label_ret),
    { NULL }
};
