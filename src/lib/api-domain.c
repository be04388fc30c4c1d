/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-domain.c: domain handles, lookups, listing, lifecycle and
 * information.
 */
#include <config.h>

#include <string.h>

#include "lib/lib-objects.h"
#include "util/error.h"
#include "util/uuid.h"

/* ---- handles ----------------------------------------------------------- */

MvDomain *
mv_lib_domain_new(MvConnect *conn, const remote_nonnull_domain *rdom)
{
    MvDomain *dom = g_new0(MvDomain, 1);

    dom->ref = 1;
    g_atomic_int_inc(&conn->ref);
    dom->conn = conn;
    dom->name = g_strdup(rdom->name);
    memcpy(dom->uuid, rdom->uuid, MV_UUID_BUFLEN);
    dom->id = rdom->id;
    return dom;
}

void
mv_lib_domain_to_remote(MvDomain *dom, remote_nonnull_domain *out)
{
    out->name = dom->name;
    memcpy(out->uuid, dom->uuid, MV_UUID_BUFLEN);
    out->id = dom->id;
}

/* The check of the accessors: they leave the last error alone, so that
 * an error can be reported along with the object's name. */
static gboolean
domain_check_handle(const char *func, MvDomain *dom)
{
    if (!dom || !dom->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_DOM, MV_ERR_INVALID_DOMAIN, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

gboolean
mv_lib_check_domain(const char *func, MvDomain *dom)
{
    mv_lib_reset_error();
    if (!dom || !dom->conn) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_DOM, MV_ERR_INVALID_DOMAIN, "%s", func);
        mv_lib_set_error(error);
        return FALSE;
    }
    return TRUE;
}

void
mv_lib_error_null_arg(const char *func, const char *what)
{
    mv_lib_error_invalid_arg(func, "%s must not be NULL", what);
}

int
mv_domain_ref(MvDomain *dom)
{
    if (!domain_check_handle("mv_domain_ref", dom))
        return -1;
    g_atomic_int_inc(&dom->ref);
    return 0;
}

void
mv_lib_domain_unref(MvDomain *dom)
{
    if (!g_atomic_int_dec_and_test(&dom->ref))
        return;
    mv_connect_close(dom->conn);
    g_free(dom->name);
    g_free(dom);
}

int
mv_domain_free(MvDomain *dom)
{
    if (!domain_check_handle("mv_domain_free", dom))
        return -1;
    mv_lib_domain_unref(dom);
    return 0;
}

MvConnect *
mv_domain_get_connect(MvDomain *dom)
{
    if (!domain_check_handle("mv_domain_get_connect", dom))
        return NULL;
    return dom->conn;
}

const char *
mv_domain_get_name(MvDomain *dom)
{
    if (!domain_check_handle("mv_domain_get_name", dom))
        return NULL;
    return dom->name;
}

unsigned int
mv_domain_get_id(MvDomain *dom)
{
    if (!domain_check_handle("mv_domain_get_id", dom))
        return (unsigned int)-1;
    return (unsigned int)dom->id;
}

int
mv_domain_get_uuid(MvDomain *dom, unsigned char *uuid)
{
    if (!domain_check_handle("mv_domain_get_uuid", dom))
        return -1;
    if (!uuid) {
        mv_lib_error_null_arg("mv_domain_get_uuid", "uuid");
        return -1;
    }
    memcpy(uuid, dom->uuid, MV_UUID_BUFLEN);
    return 0;
}

int
mv_domain_get_uuid_string(MvDomain *dom, char *buf)
{
    if (!domain_check_handle("mv_domain_get_uuid_string", dom))
        return -1;
    if (!buf) {
        mv_lib_error_null_arg("mv_domain_get_uuid_string", "buf");
        return -1;
    }
    mv_uuid_format(dom->uuid, buf);
    return 0;
}

/* ---- lookups ------------------------------------------------------------- */

MvDomain *
mv_domain_lookup_by_id(MvConnect *conn, int id)
{
    remote_domain_lookup_by_id_args args = { id };
    remote_domain_lookup_by_id_ret ret = { 0 };
    MvDomain *dom;

    if (!mv_lib_check_conn("mv_domain_lookup_by_id", conn))
        return NULL;
    if (id < 0) {
        mv_lib_error_invalid_arg("mv_domain_lookup_by_id", "id must not be negative");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_domain_lookup_by_id(conn->client, &args, &ret, &_err)))
        return NULL;
    dom = mv_lib_domain_new(conn, &ret.dom);
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_id_ret, (char *)&ret);
    return dom;
}

MvDomain *
mv_domain_lookup_by_name(MvConnect *conn, const char *name)
{
    remote_domain_lookup_by_name_args args = { (char *)name };
    remote_domain_lookup_by_name_ret ret = { 0 };
    MvDomain *dom;

    if (!mv_lib_check_conn("mv_domain_lookup_by_name", conn))
        return NULL;
    if (!name) {
        mv_lib_error_null_arg("mv_domain_lookup_by_name", "name");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_domain_lookup_by_name(conn->client, &args, &ret, &_err)))
        return NULL;
    dom = mv_lib_domain_new(conn, &ret.dom);
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_ret, (char *)&ret);
    return dom;
}

MvDomain *
mv_domain_lookup_by_uuid(MvConnect *conn, const unsigned char *uuid)
{
    remote_domain_lookup_by_uuid_args args;
    remote_domain_lookup_by_uuid_ret ret = { 0 };
    MvDomain *dom;

    if (!mv_lib_check_conn("mv_domain_lookup_by_uuid", conn))
        return NULL;
    if (!uuid) {
        mv_lib_error_null_arg("mv_domain_lookup_by_uuid", "uuid");
        return NULL;
    }
    memcpy(args.uuid, uuid, MV_UUID_BUFLEN);
    if (!MV_LIB_CALL(conn, remote_call_domain_lookup_by_uuid(conn->client, &args, &ret, &_err)))
        return NULL;
    dom = mv_lib_domain_new(conn, &ret.dom);
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_uuid_ret, (char *)&ret);
    return dom;
}

MvDomain *
mv_domain_lookup_by_uuid_string(MvConnect *conn, const char *uuidstr)
{
    unsigned char uuid[MV_UUID_BUFLEN];

    if (!mv_lib_check_conn("mv_domain_lookup_by_uuid_string", conn))
        return NULL;
    if (!uuidstr || !mv_uuid_parse(uuidstr, uuid)) {
        mv_lib_error_invalid_arg("mv_domain_lookup_by_uuid_string", "invalid UUID '%s'",
                                 uuidstr ? uuidstr : "(null)");
        return NULL;
    }
    return mv_domain_lookup_by_uuid(conn, uuid);
}

/* ---- listing ------------------------------------------------------------------ */

int
mv_connect_list_all_domains(MvConnect *conn, MvDomain ***domains, unsigned int flags)
{
    remote_connect_list_all_domains_args args = { domains != NULL, flags };
    remote_connect_list_all_domains_ret ret = { 0 };
    int n;

    if (domains)
        *domains = NULL;
    if (!mv_lib_check_conn("mv_connect_list_all_domains", conn) ||
        !mv_lib_check_flags("mv_connect_list_all_domains", flags, 0xffff))
        return -1;
    if (!MV_LIB_CALL(conn, remote_call_connect_list_all_domains(conn->client, &args, &ret,
                                                                 &_err)))
        return -1;
    if (domains) {
        MvDomain **list = g_new0(MvDomain *, ret.domains.domains_len + 1);

        for (u_int i = 0; i < ret.domains.domains_len; i++)
            list[i] = mv_lib_domain_new(conn, &ret.domains.domains_val[i]);
        *domains = list;
        n = ret.domains.domains_len;
    } else {
        n = ret.ret;
    }
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&ret);
    return n;
}

int
mv_connect_num_of_domains(MvConnect *conn)
{
    remote_connect_num_of_domains_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_num_of_domains", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_num_of_domains(conn->client, &ret, &_err)))
        return -1;
    return ret.num;
}

int
mv_connect_list_domains(MvConnect *conn, int *ids, int maxids)
{
    remote_connect_list_domains_args args = { maxids };
    remote_connect_list_domains_ret ret = { 0 };
    int n;

    if (!mv_lib_check_conn("mv_connect_list_domains", conn))
        return -1;
    if (maxids < 0 || (maxids > 0 && !ids)) {
        mv_lib_error_invalid_arg("mv_connect_list_domains", "ids/maxids are invalid");
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_list_domains(conn->client, &args, &ret, &_err)))
        return -1;
    n = MIN((int)ret.ids.ids_len, maxids);
    for (int i = 0; i < n; i++)
        ids[i] = ret.ids.ids_val[i];
    xdr_free((xdrproc_t)xdr_remote_connect_list_domains_ret, (char *)&ret);
    return n;
}

int
mv_connect_num_of_defined_domains(MvConnect *conn)
{
    remote_connect_num_of_defined_domains_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_connect_num_of_defined_domains", conn) ||
        !MV_LIB_CALL(conn, remote_call_connect_num_of_defined_domains(conn->client, &ret,
                                                                       &_err)))
        return -1;
    return ret.num;
}

int
mv_connect_list_defined_domains(MvConnect *conn, char **names, int maxnames)
{
    remote_connect_list_defined_domains_args args = { maxnames };
    remote_connect_list_defined_domains_ret ret = { 0 };
    int n;

    if (!mv_lib_check_conn("mv_connect_list_defined_domains", conn))
        return -1;
    if (maxnames < 0 || (maxnames > 0 && !names)) {
        mv_lib_error_invalid_arg("mv_connect_list_defined_domains",
                                 "names/maxnames are invalid");
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_connect_list_defined_domains(conn->client, &args, &ret,
                                                                     &_err)))
        return -1;
    n = MIN((int)ret.names.names_len, maxnames);
    for (int i = 0; i < n; i++)
        names[i] = g_strdup(ret.names.names_val[i]);
    xdr_free((xdrproc_t)xdr_remote_connect_list_defined_domains_ret, (char *)&ret);
    return n;
}

/* ---- lifecycle ------------------------------------------------------------ */

MvDomain *
mv_domain_define_xml(MvConnect *conn, const char *xml)
{
    remote_domain_define_xml_args args = { (char *)xml };
    remote_domain_define_xml_ret ret = { 0 };
    MvDomain *dom;

    if (!mv_lib_check_conn("mv_domain_define_xml", conn))
        return NULL;
    if (!xml) {
        mv_lib_error_null_arg("mv_domain_define_xml", "xml");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_domain_define_xml(conn->client, &args, &ret, &_err)))
        return NULL;
    dom = mv_lib_domain_new(conn, &ret.dom);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, (char *)&ret);
    return dom;
}

MvDomain *
mv_domain_define_xml_flags(MvConnect *conn, const char *xml, unsigned int flags)
{
    remote_domain_define_xml_flags_args args = { (char *)xml, flags };
    remote_domain_define_xml_flags_ret ret = { 0 };
    MvDomain *dom;

    if (!mv_lib_check_conn("mv_domain_define_xml_flags", conn) ||
        !mv_lib_check_flags("mv_domain_define_xml_flags", flags, MV_DOMAIN_DEFINE_VALIDATE))
        return NULL;
    if (!xml) {
        mv_lib_error_null_arg("mv_domain_define_xml_flags", "xml");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_domain_define_xml_flags(conn->client, &args, &ret, &_err)))
        return NULL;
    dom = mv_lib_domain_new(conn, &ret.dom);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_flags_ret, (char *)&ret);
    return dom;
}

int
mv_domain_undefine(MvDomain *dom)
{
    remote_domain_undefine_args args;

    if (!mv_lib_check_domain("mv_domain_undefine", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_undefine(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_undefine_flags(MvDomain *dom, unsigned int flags)
{
    remote_domain_undefine_flags_args args;

    if (!mv_lib_check_domain("mv_domain_undefine_flags", dom) ||
        !mv_lib_check_flags("mv_domain_undefine_flags", flags, 0x7f))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_undefine_flags(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

#define DOMAIN_START_FLAGS 0x3f

/* After DOMAIN_CREATE, which returns nothing, learn the new id. */
static void
domain_refresh_id(MvDomain *dom)
{
    remote_domain_lookup_by_uuid_args args;
    remote_domain_lookup_by_uuid_ret ret = { 0 };

    memcpy(args.uuid, dom->uuid, MV_UUID_BUFLEN);
    if (remote_call_domain_lookup_by_uuid(dom->conn->client, &args, &ret, NULL)) {
        dom->id = ret.dom.id;
        xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_uuid_ret, (char *)&ret);
    }
}

int
mv_domain_create(MvDomain *dom)
{
    remote_domain_create_args args;

    if (!mv_lib_check_domain("mv_domain_create", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_create(dom->conn->client, &args, &_err)))
        return -1;
    domain_refresh_id(dom);
    return 0;
}

int
mv_domain_create_with_flags(MvDomain *dom, unsigned int flags)
{
    remote_domain_create_with_flags_args args;
    remote_domain_create_with_flags_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_create_with_flags", dom) ||
        !mv_lib_check_flags("mv_domain_create_with_flags", flags, DOMAIN_START_FLAGS))
        return -1;
    if (flags == 0)
        return mv_domain_create(dom);
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_create_with_flags(dom->conn->client, &args, &ret,
                                                                &_err)))
        return -1;
    dom->id = ret.dom.id;
    xdr_free((xdrproc_t)xdr_remote_domain_create_with_flags_ret, (char *)&ret);
    return 0;
}

MvDomain *
mv_domain_create_xml(MvConnect *conn, const char *xml, unsigned int flags)
{
    remote_domain_create_xml_args args = { (char *)xml, flags };
    remote_domain_create_xml_ret ret = { 0 };
    MvDomain *dom;

    if (!mv_lib_check_conn("mv_domain_create_xml", conn) ||
        !mv_lib_check_flags("mv_domain_create_xml", flags, DOMAIN_START_FLAGS))
        return NULL;
    if (!xml) {
        mv_lib_error_null_arg("mv_domain_create_xml", "xml");
        return NULL;
    }
    if (!MV_LIB_CALL(conn, remote_call_domain_create_xml(conn->client, &args, &ret, &_err)))
        return NULL;
    dom = mv_lib_domain_new(conn, &ret.dom);
    xdr_free((xdrproc_t)xdr_remote_domain_create_xml_ret, (char *)&ret);
    return dom;
}

int
mv_domain_destroy(MvDomain *dom)
{
    remote_domain_destroy_args args;

    if (!mv_lib_check_domain("mv_domain_destroy", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_destroy(dom->conn->client, &args, &_err)))
        return -1;
    dom->id = -1;
    return 0;
}

int
mv_domain_destroy_flags(MvDomain *dom, unsigned int flags)
{
    remote_domain_destroy_flags_args args;

    if (!mv_lib_check_domain("mv_domain_destroy_flags", dom) ||
        !mv_lib_check_flags("mv_domain_destroy_flags", flags,
                            MV_DOMAIN_DESTROY_GRACEFUL | MV_DOMAIN_DESTROY_REMOVE_LOGS))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_destroy_flags(dom->conn->client, &args, &_err)))
        return -1;
    dom->id = -1;
    return 0;
}

int
mv_domain_shutdown(MvDomain *dom)
{
    remote_domain_shutdown_args args;

    if (!mv_lib_check_domain("mv_domain_shutdown", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_shutdown(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_shutdown_flags(MvDomain *dom, unsigned int flags)
{
    remote_domain_shutdown_flags_args args;

    if (!mv_lib_check_domain("mv_domain_shutdown_flags", dom) ||
        !mv_lib_check_flags("mv_domain_shutdown_flags", flags, 0x1f))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_shutdown_flags(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_reboot(MvDomain *dom, unsigned int flags)
{
    remote_domain_reboot_args args;

    if (!mv_lib_check_domain("mv_domain_reboot", dom) ||
        !mv_lib_check_flags("mv_domain_reboot", flags, 0x1f))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_reboot(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_reset(MvDomain *dom, unsigned int flags)
{
    remote_domain_reset_args args;

    if (!mv_lib_check_domain("mv_domain_reset", dom) ||
        !mv_lib_check_flags("mv_domain_reset", flags, 0))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_reset(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_suspend(MvDomain *dom)
{
    remote_domain_suspend_args args;

    if (!mv_lib_check_domain("mv_domain_suspend", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_suspend(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_resume(MvDomain *dom)
{
    remote_domain_resume_args args;

    if (!mv_lib_check_domain("mv_domain_resume", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_resume(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

/* ---- information ---------------------------------------------------------------- */

int
mv_domain_get_info(MvDomain *dom, MvDomainInfo *info)
{
    remote_domain_get_info_args args;
    remote_domain_get_info_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_get_info", dom))
        return -1;
    if (!info) {
        mv_lib_error_null_arg("mv_domain_get_info", "info");
        return -1;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_info(dom->conn->client, &args, &ret,
                                                             &_err)))
        return -1;
    info->state = ret.state;
    info->max_mem = ret.maxMem;
    info->memory = ret.memory;
    info->nr_virt_cpu = ret.nrVirtCpu;
    info->cpu_time = ret.cpuTime;
    return 0;
}

int
mv_domain_get_state(MvDomain *dom, int *state, int *reason, unsigned int flags)
{
    remote_domain_get_state_args args;
    remote_domain_get_state_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_get_state", dom) ||
        !mv_lib_check_flags("mv_domain_get_state", flags, 0))
        return -1;
    if (!state) {
        mv_lib_error_null_arg("mv_domain_get_state", "state");
        return -1;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_state(dom->conn->client, &args, &ret,
                                                              &_err)))
        return -1;
    *state = ret.state;
    if (reason)
        *reason = ret.reason;
    return 0;
}

char *
mv_domain_get_xml_desc(MvDomain *dom, unsigned int flags)
{
    remote_domain_get_xml_desc_args args;
    remote_domain_get_xml_desc_ret ret = { 0 };
    char *xml;

    if (!mv_lib_check_domain("mv_domain_get_xml_desc", dom) ||
        !mv_lib_check_flags("mv_domain_get_xml_desc", flags, 0xf))
        return NULL;
    if ((dom->conn->flags & MV_CONNECT_RO) && (flags & MV_DOMAIN_XML_SECURE)) {
        GError *error = NULL;

        mv_error_set(&error, MV_FROM_DOMAIN, MV_ERR_OPERATION_DENIED,
                     "virDomainGetXMLDesc with secure flag");
        mv_lib_set_error(error);
        return NULL;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_xml_desc(dom->conn->client, &args, &ret,
                                                                 &_err)))
        return NULL;
    xml = g_strdup(ret.xml);
    xdr_free((xdrproc_t)xdr_remote_domain_get_xml_desc_ret, (char *)&ret);
    return xml;
}

int
mv_domain_get_autostart(MvDomain *dom, int *autostart)
{
    remote_domain_get_autostart_args args;
    remote_domain_get_autostart_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_get_autostart", dom))
        return -1;
    if (!autostart) {
        mv_lib_error_null_arg("mv_domain_get_autostart", "autostart");
        return -1;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_autostart(dom->conn->client, &args, &ret,
                                                                  &_err)))
        return -1;
    *autostart = ret.autostart;
    return 0;
}

int
mv_domain_set_autostart(MvDomain *dom, int autostart)
{
    remote_domain_set_autostart_args args;

    if (!mv_lib_check_domain("mv_domain_set_autostart", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.autostart = autostart ? 1 : 0;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_set_autostart(dom->conn->client, &args, &_err)))
        return -1;
    return 0;
}

int
mv_domain_is_active(MvDomain *dom)
{
    remote_domain_is_active_args args;
    remote_domain_is_active_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_is_active", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_is_active(dom->conn->client, &args, &ret,
                                                              &_err)))
        return -1;
    return ret.active ? 1 : 0;
}

int
mv_domain_is_persistent(MvDomain *dom)
{
    remote_domain_is_persistent_args args;
    remote_domain_is_persistent_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_is_persistent", dom))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_is_persistent(dom->conn->client, &args, &ret,
                                                                  &_err)))
        return -1;
    return ret.persistent ? 1 : 0;
}

unsigned long long
mv_domain_get_max_memory(MvDomain *dom)
{
    remote_domain_get_max_memory_args args;
    remote_domain_get_max_memory_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_get_max_memory", dom))
        return 0;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_max_memory(dom->conn->client, &args,
                                                                   &ret, &_err)))
        return 0;
    return ret.memory;
}

char *
mv_domain_get_os_type(MvDomain *dom)
{
    remote_domain_get_os_type_args args;
    remote_domain_get_os_type_ret ret = { 0 };
    char *type;

    if (!mv_lib_check_domain("mv_domain_get_os_type", dom))
        return NULL;
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_os_type(dom->conn->client, &args, &ret,
                                                                &_err)))
        return NULL;
    type = g_strdup(ret.type);
    xdr_free((xdrproc_t)xdr_remote_domain_get_os_type_ret, (char *)&ret);
    return type;
}

int
mv_domain_has_managed_save_image(MvDomain *dom, unsigned int flags)
{
    remote_domain_has_managed_save_image_args args;
    remote_domain_has_managed_save_image_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_has_managed_save_image", dom) ||
        !mv_lib_check_flags("mv_domain_has_managed_save_image", flags, 0))
        return -1;
    mv_lib_domain_to_remote(dom, &args.dom);
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_has_managed_save_image(dom->conn->client,
                                                                           &args, &ret, &_err)))
        return -1;
    return ret.result ? 1 : 0;
}

char *
mv_domain_get_metadata(MvDomain *dom, int type, const char *uri, unsigned int flags)
{
    remote_domain_get_metadata_args args;
    remote_domain_get_metadata_ret ret = { 0 };
    char *curi = (char *)uri;
    char *s;

    if (!mv_lib_check_domain("mv_domain_get_metadata", dom) ||
        !mv_lib_check_flags("mv_domain_get_metadata", flags,
                            MV_DOMAIN_AFFECT_LIVE | MV_DOMAIN_AFFECT_CONFIG))
        return NULL;
    if (type < MV_DOMAIN_METADATA_DESCRIPTION || type > MV_DOMAIN_METADATA_ELEMENT ||
        (type == MV_DOMAIN_METADATA_ELEMENT) != (uri != NULL)) {
        mv_lib_error_invalid_arg("mv_domain_get_metadata",
                                 "a namespace URI goes with MV_DOMAIN_METADATA_ELEMENT only");
        return NULL;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    args.type = type;
    args.uri = uri ? &curi : NULL;
    args.flags = flags;
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_metadata(dom->conn->client, &args, &ret,
                                                                 &_err)))
        return NULL;
    s = g_strdup(ret.metadata);
    xdr_free((xdrproc_t)xdr_remote_domain_get_metadata_ret, (char *)&ret);
    return s;
}

/* Copy a counted, NUL-padded char array from the wire into @dst. */
static void
domain_copy_chars(char *dst, gsize size, const char *src, u_int len)
{
    gsize n = MIN((gsize)len, size - 1);

    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

int
mv_node_get_security_model(MvConnect *conn, MvSecurityModel *secmodel)
{
    remote_node_get_security_model_ret ret = { 0 };

    if (!mv_lib_check_conn("mv_node_get_security_model", conn))
        return -1;
    if (!secmodel) {
        mv_lib_error_null_arg("mv_node_get_security_model", "secmodel");
        return -1;
    }
    if (!MV_LIB_CALL(conn, remote_call_node_get_security_model(conn->client, &ret, &_err)))
        return -1;
    domain_copy_chars(secmodel->model, sizeof(secmodel->model), ret.model.model_val,
                      ret.model.model_len);
    domain_copy_chars(secmodel->doi, sizeof(secmodel->doi), ret.doi.doi_val, ret.doi.doi_len);
    xdr_free((xdrproc_t)xdr_remote_node_get_security_model_ret, (char *)&ret);
    return 0;
}

int
mv_domain_get_security_label(MvDomain *dom, MvSecurityLabel *seclabel)
{
    remote_domain_get_security_label_args args;
    remote_domain_get_security_label_ret ret = { 0 };

    if (!mv_lib_check_domain("mv_domain_get_security_label", dom))
        return -1;
    if (!seclabel) {
        mv_lib_error_null_arg("mv_domain_get_security_label", "seclabel");
        return -1;
    }
    mv_lib_domain_to_remote(dom, &args.dom);
    if (!MV_LIB_CALL(dom->conn, remote_call_domain_get_security_label(dom->conn->client, &args,
                                                                       &ret, &_err)))
        return -1;
    domain_copy_chars(seclabel->label, sizeof(seclabel->label), ret.label.label_val,
                      ret.label.label_len);
    seclabel->enforcing = ret.enforcing;
    xdr_free((xdrproc_t)xdr_remote_domain_get_security_label_ret, (char *)&ret);
    return 0;
}
