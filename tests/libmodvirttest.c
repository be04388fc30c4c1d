/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmodvirttest.c: libmodvirt's domain, storage, event and stream API
 * against the in-process fake remote server (fakeremote.c): what goes on
 * the wire, what comes back decoded, errors, events and streams.
 */
#include <config.h>

#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <modvirt/modvirt.h>

#include "fakeremote.h"
#include "remote-protocol.h"

typedef struct {
    char *dir;
    FakeRemote *fr;
    MvConnect *conn;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *sock = NULL;
    g_autofree char *uri = NULL;

    f->dir = g_dir_make_tmp("libmodvirttest-XXXXXX", &error);
    g_assert_no_error(error);
    sock = g_build_filename(f->dir, "sock", NULL);
    f->fr = fake_remote_new();
    fake_remote_populate(f->fr);
    g_assert_true(fake_remote_listen(f->fr, sock, &error));
    g_assert_no_error(error);
    uri = g_strdup_printf("qemu+unix:///system?socket=%s", sock);
    f->conn = mv_connect_open(uri, 0);
    g_assert_nonnull(f->conn);
    fake_remote_reset_calls(f->fr);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *sock = g_build_filename(f->dir, "sock", NULL);

    mv_connect_close(f->conn);
    fake_remote_free(f->fr);
    g_unlink(sock);
    g_rmdir(f->dir);
    g_free(f->dir);
}

static void
assert_last_error(int code, const char *substring)
{
    const MvError *err = mv_get_last_error();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (substring)
        g_assert_nonnull(strstr(err->message, substring));
}

/* Run queued callbacks until @cond (an int counter) reaches @want. */
static void
wait_events(int *counter, int want)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (*counter < want && g_get_monotonic_time() < end)
        mv_event_run_default_impl(100);
    g_assert_cmpint(*counter, ==, want);
}

/* ---- domains ----------------------------------------------------------------- */

static void
test_domain_lookup(Fixture *f, gconstpointer data)
{
    g_autofree char *uuidstr = g_malloc(MV_UUID_STRING_BUFLEN);
    MvDomain *dom = mv_domain_lookup_by_name(f->conn, "alpha");
    MvDomain *byid;
    MvDomain *byuuid;
    unsigned char uuid[MV_UUID_BUFLEN];

    g_assert_nonnull(dom);
    g_assert_cmpstr(mv_domain_get_name(dom), ==, "alpha");
    g_assert_cmpuint(mv_domain_get_id(dom), ==, 1);
    g_assert_true(mv_domain_get_connect(dom) == f->conn);
    g_assert_cmpint(mv_domain_get_uuid(dom, uuid), ==, 0);
    g_assert_cmpint(mv_domain_get_uuid_string(dom, uuidstr), ==, 0);
    g_assert_cmpuint(strlen(uuidstr), ==, 36);

    byid = mv_domain_lookup_by_id(f->conn, 1);
    g_assert_nonnull(byid);
    g_assert_cmpstr(mv_domain_get_name(byid), ==, "alpha");
    byuuid = mv_domain_lookup_by_uuid_string(f->conn, uuidstr);
    g_assert_nonnull(byuuid);
    g_assert_cmpstr(mv_domain_get_name(byuuid), ==, "alpha");
    g_assert_cmpuint(fake_remote_calls(f->fr, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID), ==, 1);

    g_assert_null(mv_domain_lookup_by_name(f->conn, "nosuch"));
    assert_last_error(MV_ERR_NO_DOMAIN,
                      "Domain not found: no domain with matching name 'nosuch'");
    g_assert_null(mv_domain_lookup_by_uuid_string(f->conn, "not-a-uuid"));
    assert_last_error(MV_ERR_INVALID_ARG, "invalid UUID");
    g_assert_null(mv_domain_lookup_by_id(f->conn, -4));
    assert_last_error(MV_ERR_INVALID_ARG, NULL);

    g_assert_cmpint(mv_domain_ref(dom), ==, 0);
    g_assert_cmpint(mv_domain_free(dom), ==, 0);
    g_assert_cmpstr(mv_domain_get_name(dom), ==, "alpha");
    mv_domain_free(dom);
    mv_domain_free(byid);
    mv_domain_free(byuuid);
    g_assert_cmpint(mv_domain_free(NULL), ==, -1);
    assert_last_error(MV_ERR_INVALID_DOMAIN, NULL);
}

static void
free_domains(MvDomain **doms)
{
    for (MvDomain **d = doms; d && *d; d++)
        mv_domain_free(*d);
    g_free(doms);
}

static void
test_domain_lists(Fixture *f, gconstpointer data)
{
    MvDomain **doms = NULL;
    char *names[8] = { NULL };
    int ids[8];
    int n;

    n = mv_connect_list_all_domains(f->conn, &doms, 0);
    g_assert_cmpint(n, ==, 4);
    g_assert_null(doms[4]);
    free_domains(doms);
    n = mv_connect_list_all_domains(f->conn, &doms, MV_CONNECT_LIST_DOMAINS_ACTIVE);
    g_assert_cmpint(n, ==, 2);
    free_domains(doms);
    n = mv_connect_list_all_domains(f->conn, &doms, MV_CONNECT_LIST_DOMAINS_PAUSED);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(mv_domain_get_name(doms[0]), ==, "charlie");
    free_domains(doms);
    g_assert_cmpint(mv_connect_list_all_domains(f->conn, NULL,
                                                MV_CONNECT_LIST_DOMAINS_AUTOSTART), ==, 1);
    g_assert_cmpint(mv_connect_list_all_domains(f->conn, &doms, 1u << 20), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG,
                      "unsupported flags (0x100000) in function mv_connect_list_all_domains");

    g_assert_cmpint(mv_connect_num_of_domains(f->conn), ==, 2);
    g_assert_cmpint(mv_connect_list_domains(f->conn, ids, 8), ==, 2);
    g_assert_cmpint(ids[0] + ids[1], ==, 3);
    g_assert_cmpint(mv_connect_num_of_defined_domains(f->conn), ==, 2);
    g_assert_cmpint(mv_connect_list_defined_domains(f->conn, names, 1), ==, 1);
    g_assert_nonnull(names[0]);
    g_free(names[0]);
}

static void
test_domain_lifecycle(Fixture *f, gconstpointer data)
{
    const char *xml = "<domain type='kvm'><name>echo</name><memory unit='MiB'>32</memory>"
                      "<vcpu>3</vcpu><os><type>hvm</type></os></domain>";
    MvDomain *dom = mv_domain_define_xml(f->conn, xml);
    MvDomain *transient;
    int state = -1;
    int reason = -1;

    g_assert_nonnull(dom);
    g_assert_cmpuint(mv_domain_get_id(dom), ==, (unsigned int)-1);
    g_assert_cmpint(mv_domain_is_active(dom), ==, 0);
    g_assert_cmpint(mv_domain_is_persistent(dom), ==, 1);
    fake_remote_reset_calls(f->fr);
    /* DOMAIN_CREATE returns nothing: the id comes from a lookup by UUID. */
    g_assert_cmpint(mv_domain_create(dom), ==, 0);
    g_assert_cmpuint(fake_remote_calls(f->fr, REMOTE_PROC_DOMAIN_CREATE), ==, 1);
    g_assert_cmpuint(fake_remote_calls(f->fr, REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID), ==, 1);
    g_assert_cmpuint(mv_domain_get_id(dom), ==, 3);
    g_assert_cmpint(mv_domain_get_state(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, MV_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, MV_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(mv_domain_create(dom), ==, -1);
    assert_last_error(MV_ERR_OPERATION_INVALID, "domain is already running");

    g_assert_cmpint(mv_domain_suspend(dom), ==, 0);
    g_assert_cmpint(mv_domain_get_state(dom, &state, NULL, 0), ==, 0);
    g_assert_cmpint(state, ==, MV_DOMAIN_PAUSED);
    g_assert_cmpint(mv_domain_resume(dom), ==, 0);
    g_assert_cmpint(mv_domain_reboot(dom, 0), ==, 0);
    g_assert_cmpint(mv_domain_reset(dom, 0), ==, 0);
    g_assert_cmpint(mv_domain_reset(dom, 1), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, "mv_domain_reset");
    g_assert_cmpint(mv_domain_shutdown_flags(dom, MV_DOMAIN_SHUTDOWN_GUEST_AGENT), ==, -1);
    assert_last_error(MV_ERR_ARGUMENT_UNSUPPORTED, NULL);
    g_assert_cmpint(mv_domain_shutdown(dom), ==, 0);
    g_assert_cmpint(mv_domain_get_state(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, MV_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, MV_DOMAIN_SHUTOFF_SHUTDOWN);

    g_assert_cmpint(mv_domain_create_with_flags(dom, MV_DOMAIN_START_PAUSED), ==, 0);
    g_assert_cmpuint(mv_domain_get_id(dom), ==, 4);
    g_assert_cmpint(mv_domain_get_state(dom, &state, NULL, 0), ==, 0);
    g_assert_cmpint(state, ==, MV_DOMAIN_PAUSED);
    g_assert_cmpint(mv_domain_destroy_flags(dom, MV_DOMAIN_DESTROY_GRACEFUL), ==, 0);
    g_assert_cmpuint(mv_domain_get_id(dom), ==, (unsigned int)-1);
    g_assert_cmpint(mv_domain_create_with_flags(dom, MV_DOMAIN_START_AUTODESTROY), ==, -1);
    assert_last_error(MV_ERR_ARGUMENT_UNSUPPORTED, "autodestroy");
    g_assert_cmpint(mv_domain_undefine_flags(dom, MV_DOMAIN_UNDEFINE_NVRAM), ==, 0);
    g_assert_cmpint(mv_domain_is_active(dom), ==, -1);
    assert_last_error(MV_ERR_NO_DOMAIN, "echo");
    mv_domain_free(dom);

    transient = mv_domain_create_xml(f->conn, xml, 0);
    g_assert_nonnull(transient);
    g_assert_cmpint(mv_domain_is_persistent(transient), ==, 0);
    g_assert_cmpint(mv_domain_destroy(transient), ==, 0);
    g_assert_null(mv_domain_lookup_by_name(f->conn, "echo"));
    mv_domain_free(transient);
    g_assert_null(mv_domain_define_xml(f->conn, "<notadomain/>"));
    assert_last_error(MV_ERR_XML_ERROR, NULL);
    g_assert_null(mv_domain_define_xml_flags(f->conn, xml, 2));
    assert_last_error(MV_ERR_INVALID_ARG, "unsupported flags (0x2)");
}

static void
test_domain_info(Fixture *f, gconstpointer data)
{
    MvDomain *alpha = mv_domain_lookup_by_name(f->conn, "alpha");
    MvDomain *bravo = mv_domain_lookup_by_name(f->conn, "Bravo");
    g_autofree char *xml = mv_domain_get_xml_desc(alpha, 0);
    g_autofree char *inactive = mv_domain_get_xml_desc(alpha, MV_DOMAIN_XML_INACTIVE);
    g_autofree char *ostype = mv_domain_get_os_type(alpha);
    g_autofree char *title = mv_domain_get_metadata(alpha, MV_DOMAIN_METADATA_TITLE, NULL, 0);
    MvSecurityModel model;
    MvSecurityLabel label;
    MvDomainInfo info;
    int autostart = -1;

    g_assert_cmpint(mv_domain_get_info(alpha, &info), ==, 0);
    g_assert_cmpint(info.state, ==, MV_DOMAIN_RUNNING);
    g_assert_cmpuint(info.max_mem, ==, 131072);
    g_assert_cmpuint(info.memory, ==, 65536);
    g_assert_cmpint(info.nr_virt_cpu, ==, 2);
    g_assert_cmpuint(info.cpu_time, ==, 1500000000ULL);
    g_assert_nonnull(strstr(xml, "<domain type='kvm' id='1'>"));
    g_assert_null(strstr(inactive, "id='1'"));
    g_assert_cmpstr(ostype, ==, "hvm");
    g_assert_cmpuint(mv_domain_get_max_memory(alpha), ==, 131072);
    g_assert_cmpint(mv_domain_get_autostart(alpha, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(mv_domain_set_autostart(bravo, 1), ==, 0);
    g_assert_cmpint(mv_domain_get_autostart(bravo, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(mv_domain_has_managed_save_image(alpha, 0), ==, 0);
    g_assert_cmpstr(title, ==, "The first");
    g_assert_null(mv_domain_get_metadata(bravo, MV_DOMAIN_METADATA_TITLE, NULL, 0));
    assert_last_error(MV_ERR_NO_DOMAIN_METADATA, NULL);
    g_assert_null(mv_domain_get_metadata(bravo, MV_DOMAIN_METADATA_ELEMENT, NULL, 0));
    assert_last_error(MV_ERR_INVALID_ARG, NULL);
    g_assert_cmpint(mv_node_get_security_model(f->conn, &model), ==, 0);
    g_assert_cmpstr(model.model, ==, "fakesec");
    g_assert_cmpstr(model.doi, ==, "0");
    g_assert_cmpint(mv_domain_get_security_label(alpha, &label), ==, 0);
    g_assert_cmpstr(label.label, ==, "fake-label-1");
    g_assert_cmpint(label.enforcing, ==, 1);
    g_assert_cmpint(mv_domain_get_security_label(bravo, &label), ==, 0);
    g_assert_cmpstr(label.label, ==, "");
    g_assert_cmpint(mv_domain_get_info(alpha, NULL), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, "info must not be NULL");
    mv_domain_free(alpha);
    mv_domain_free(bravo);
}

static const MvTypedParam *
find_param(const MvDomainStatsRecord *rec, const char *field)
{
    for (int i = 0; i < rec->nparams; i++) {
        if (g_str_equal(rec->params[i].field, field))
            return &rec->params[i];
    }
    return NULL;
}

static void
test_domain_stats(Fixture *f, gconstpointer data)
{
    MvDomainStatsRecord **recs = NULL;
    MvDomain *doms[2] = { NULL, NULL };
    const MvTypedParam *p;
    g_autofree char *s = NULL;
    int n;

    n = mv_connect_get_all_domain_stats(f->conn, MV_DOMAIN_STATS_STATE, &recs,
                                        MV_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE |
                                        MV_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE);
    g_assert_cmpint(n, ==, 4);
    /* One call gives every domain with its state. */
    g_assert_cmpuint(fake_remote_calls_total(f->fr), ==, 1);
    for (int i = 0; i < n; i++) {
        g_assert_cmpint(recs[i]->nparams, ==, 2);
        p = find_param(recs[i], "state.state");
        g_assert_nonnull(p);
        g_assert_cmpint(p->type, ==, MV_TYPED_PARAM_INT);
        if (g_str_equal(mv_domain_get_name(recs[i]->dom), "charlie")) {
            g_assert_cmpint(p->value.i, ==, MV_DOMAIN_PAUSED);
            g_assert_cmpuint(mv_domain_get_id(recs[i]->dom), ==, 2);
        }
    }
    g_assert_null(recs[4]);
    mv_domain_stats_record_list_free(recs);

    doms[0] = mv_domain_lookup_by_name(f->conn, "alpha");
    n = mv_domain_list_get_stats(doms, 0, &recs, 0);
    g_assert_cmpint(n, ==, 1);
    p = find_param(recs[0], "vm.fake.name");
    g_assert_cmpint(p->type, ==, MV_TYPED_PARAM_STRING);
    g_assert_cmpstr(p->value.s, ==, "alpha");
    p = find_param(recs[0], "vm.fake.autostart");
    s = mv_typed_param_format(p);
    g_assert_cmpstr(s, ==, "yes");
    g_clear_pointer(&s, g_free);
    p = find_param(recs[0], "vm.fake.ratio");
    g_assert_cmpfloat(p->value.d, ==, 0.25);
    s = mv_typed_param_format(p);
    g_assert_cmpstr(s, ==, "0.250000");
    g_clear_pointer(&s, g_free);
    p = find_param(recs[0], "vm.fake.delta");
    g_assert_cmpint(p->value.l, ==, -3);
    p = find_param(recs[0], "vcpu.current");
    g_assert_cmpint(p->type, ==, MV_TYPED_PARAM_UINT);
    g_assert_cmpuint(p->value.ui, ==, 2);
    p = find_param(recs[0], "balloon.maximum");
    g_assert_cmpuint(p->value.ul, ==, 131072);
    mv_domain_stats_record_list_free(recs);
    g_assert_cmpint(mv_domain_list_get_stats(doms, 0, &recs,
                                             MV_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, "unsupported flags (0x1)");
    mv_domain_free(doms[0]);
}

/* ---- events ---------------------------------------------------------------------------- */

typedef struct {
    int count;
    int event;
    int detail;
    char *name;
} Seen;

static void
seen_lifecycle(MvConnect *conn, MvDomain *dom, int event, int detail, void *opaque)
{
    Seen *s = opaque;

    s->count++;
    s->event = event;
    s->detail = detail;
    g_free(s->name);
    s->name = g_strdup(mv_domain_get_name(dom));
}

static void
seen_generic(MvConnect *conn, MvDomain *dom, void *opaque)
{
    Seen *s = opaque;

    s->count++;
    g_free(s->name);
    s->name = g_strdup(mv_domain_get_name(dom));
}

static int freed;

static void
seen_free(void *opaque)
{
    freed++;
}

static void
test_events_domain(Fixture *f, gconstpointer data)
{
    MvDomain *alpha = mv_domain_lookup_by_name(f->conn, "alpha");
    MvDomain *charlie = mv_domain_lookup_by_name(f->conn, "charlie");
    Seen life = { 0 };
    Seen reboot = { 0 };
    int id1;
    int id2;

    freed = 0;
    id1 = mv_connect_domain_event_register_any(f->conn, NULL, MV_DOMAIN_EVENT_ID_LIFECYCLE,
                                               MV_DOMAIN_EVENT_CALLBACK(seen_lifecycle), &life,
                                               seen_free);
    id2 = mv_connect_domain_event_register_any(f->conn, charlie, MV_DOMAIN_EVENT_ID_REBOOT,
                                               seen_generic, &reboot, NULL);
    g_assert_cmpint(id1, >=, 0);
    g_assert_cmpint(id2, >=, 0);
    g_assert_cmpint(id1, !=, id2);

    g_assert_cmpint(mv_domain_suspend(alpha), ==, 0);
    wait_events(&life.count, 1);
    g_assert_cmpint(life.event, ==, MV_DOMAIN_EVENT_SUSPENDED);
    g_assert_cmpint(life.detail, ==, MV_DOMAIN_EVENT_SUSPENDED_PAUSED);
    g_assert_cmpstr(life.name, ==, "alpha");
    g_assert_cmpint(mv_domain_resume(charlie), ==, 0);
    wait_events(&life.count, 2);
    g_assert_cmpint(life.event, ==, MV_DOMAIN_EVENT_RESUMED);
    g_assert_cmpstr(life.name, ==, "charlie");

    /* The reboot callback only hears of charlie. */
    g_assert_cmpint(mv_domain_reboot(alpha, 0), ==, 0);
    g_assert_cmpint(mv_domain_reboot(charlie, 0), ==, 0);
    wait_events(&reboot.count, 1);
    g_usleep(100 * 1000);
    mv_event_dispatch_pending();
    g_assert_cmpint(reboot.count, ==, 1);
    g_assert_cmpstr(reboot.name, ==, "charlie");

    g_assert_cmpint(mv_connect_domain_event_deregister_any(f->conn, id1), ==, 0);
    g_assert_cmpint(freed, ==, 1);
    g_assert_cmpint(mv_domain_resume(alpha), ==, 0);
    g_usleep(100 * 1000);
    mv_event_dispatch_pending();
    g_assert_cmpint(life.count, ==, 2);
    g_assert_cmpint(mv_connect_domain_event_deregister_any(f->conn, id1), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, "is not registered");
    g_assert_cmpint(mv_connect_domain_event_deregister_any(f->conn, id2), ==, 0);
    g_assert_cmpint(mv_connect_domain_event_register_any(f->conn, NULL, 27, seen_generic,
                                                         &reboot, NULL), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, NULL);
    g_free(life.name);
    g_free(reboot.name);
    mv_domain_free(alpha);
    mv_domain_free(charlie);
}

static void
seen_pool_lifecycle(MvConnect *conn, MvStoragePool *pool, int event, int detail, void *opaque)
{
    Seen *s = opaque;

    s->count++;
    s->event = event;
    g_free(s->name);
    s->name = g_strdup(mv_storage_pool_get_name(pool));
}

static void
seen_pool_refresh(MvConnect *conn, MvStoragePool *pool, void *opaque)
{
    ((Seen *)opaque)->count++;
}

static void
test_events_pool(Fixture *f, gconstpointer data)
{
    MvStoragePool *spare = mv_storage_pool_lookup_by_name(f->conn, "spare");
    MvStoragePool *def = mv_storage_pool_lookup_by_name(f->conn, "default");
    Seen life = { 0 };
    Seen refresh = { 0 };
    int id1 = mv_connect_storage_pool_event_register_any(
        f->conn, NULL, MV_STORAGE_POOL_EVENT_ID_LIFECYCLE,
        MV_STORAGE_POOL_EVENT_CALLBACK(seen_pool_lifecycle), &life, NULL);
    int id2 = mv_connect_storage_pool_event_register_any(
        f->conn, def, MV_STORAGE_POOL_EVENT_ID_REFRESH, seen_pool_refresh, &refresh, NULL);

    g_assert_cmpint(id1, >=, 0);
    g_assert_cmpint(id2, >=, 0);
    g_assert_cmpint(mv_storage_pool_create(spare, 0), ==, 0);
    wait_events(&life.count, 1);
    g_assert_cmpint(life.event, ==, MV_STORAGE_POOL_EVENT_STARTED);
    g_assert_cmpstr(life.name, ==, "spare");
    g_assert_cmpint(mv_storage_pool_refresh(spare, 0), ==, 0);
    g_assert_cmpint(mv_storage_pool_refresh(def, 0), ==, 0);
    wait_events(&refresh.count, 1);
    g_assert_cmpint(mv_connect_storage_pool_event_deregister_any(f->conn, id1), ==, 0);
    g_assert_cmpint(mv_connect_storage_pool_event_deregister_any(f->conn, id2), ==, 0);
    g_free(life.name);
    mv_storage_pool_free(spare);
    mv_storage_pool_free(def);
}

/* ---- storage ---------------------------------------------------------------------- */

static void
free_pools(MvStoragePool **pools)
{
    for (MvStoragePool **p = pools; p && *p; p++)
        mv_storage_pool_free(*p);
    g_free(pools);
}

static void
test_storage_pools(Fixture *f, gconstpointer data)
{
    const char *xml = "<pool type='dir'><name>newpool</name>"
                      "<target><path>/tmp/newpool</path></target></pool>";
    MvStoragePool **pools = NULL;
    MvStoragePool *pool;
    MvStoragePool *same;
    MvStoragePoolInfo info;
    g_autofree char *pxml = NULL;
    char uuid[MV_UUID_STRING_BUFLEN];
    char *names[4] = { NULL };
    int autostart;

    g_assert_cmpint(mv_connect_list_all_storage_pools(f->conn, &pools, 0), ==, 3);
    free_pools(pools);
    g_assert_cmpint(mv_connect_list_all_storage_pools(f->conn, &pools,
                                                      MV_CONNECT_LIST_STORAGE_POOLS_INACTIVE),
                    ==, 1);
    g_assert_cmpstr(mv_storage_pool_get_name(pools[0]), ==, "spare");
    free_pools(pools);
    g_assert_cmpint(mv_connect_list_all_storage_pools(f->conn, NULL,
                                                      MV_CONNECT_LIST_STORAGE_POOLS_LOGICAL),
                    ==, 1);
    g_assert_cmpint(mv_connect_num_of_storage_pools(f->conn), ==, 2);
    g_assert_cmpint(mv_connect_num_of_defined_storage_pools(f->conn), ==, 1);
    g_assert_cmpint(mv_connect_list_defined_storage_pools(f->conn, names, 4), ==, 1);
    g_assert_cmpstr(names[0], ==, "spare");
    g_free(names[0]);

    pool = mv_storage_pool_define_xml(f->conn, xml, 0);
    g_assert_nonnull(pool);
    g_assert_cmpint(mv_storage_pool_is_active(pool), ==, 0);
    g_assert_cmpint(mv_storage_pool_build(pool, MV_STORAGE_POOL_BUILD_NO_OVERWRITE), ==, 0);
    g_assert_cmpint(mv_storage_pool_build(pool, 16), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, "mv_storage_pool_build");
    g_assert_cmpint(mv_storage_pool_create(pool, 0), ==, 0);
    g_assert_cmpint(mv_storage_pool_get_info(pool, &info), ==, 0);
    g_assert_cmpint(info.state, ==, MV_STORAGE_POOL_RUNNING);
    g_assert_cmpuint(info.capacity, ==, 10ULL << 30);
    g_assert_cmpint(mv_storage_pool_set_autostart(pool, 1), ==, 0);
    g_assert_cmpint(mv_storage_pool_get_autostart(pool, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(mv_storage_pool_is_persistent(pool), ==, 1);
    pxml = mv_storage_pool_get_xml_desc(pool, 0);
    g_assert_nonnull(strstr(pxml, "<path>/tmp/newpool</path>"));
    mv_storage_pool_get_uuid_string(pool, uuid);
    same = mv_storage_pool_lookup_by_uuid_string(f->conn, uuid);
    g_assert_cmpstr(mv_storage_pool_get_name(same), ==, "newpool");
    mv_storage_pool_free(same);
    same = mv_storage_pool_lookup_by_target_path(f->conn, "/tmp/newpool");
    g_assert_cmpstr(mv_storage_pool_get_name(same), ==, "newpool");
    mv_storage_pool_free(same);
    g_assert_cmpint(mv_storage_pool_undefine(pool), ==, -1);
    assert_last_error(MV_ERR_OPERATION_INVALID, "is already active");
    g_assert_cmpint(mv_storage_pool_destroy(pool), ==, 0);
    g_assert_cmpint(mv_storage_pool_delete(pool, 0), ==, 0);
    g_assert_cmpint(mv_storage_pool_undefine(pool), ==, 0);
    g_assert_null(mv_storage_pool_lookup_by_name(f->conn, "newpool"));
    assert_last_error(MV_ERR_NO_STORAGE_POOL,
                      "Storage pool not found: no storage pool with matching name 'newpool'");
    mv_storage_pool_free(pool);
    pxml = (g_free(pxml), mv_connect_find_storage_pool_sources(f->conn, "logical", NULL, 0));
    g_assert_nonnull(strstr(pxml, "<sources>"));
}

static void
test_storage_vols(Fixture *f, gconstpointer data)
{
    MvStoragePool *pool = mv_storage_pool_lookup_by_name(f->conn, "default");
    MvStoragePool *vg = mv_storage_pool_lookup_by_name(f->conn, "vg0");
    MvStorageVol **vols = NULL;
    MvStorageVol *vol;
    MvStorageVol *clone;
    MvStorageVol *other;
    MvStoragePool *owner;
    MvStorageVolInfo info;
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    char *names[4] = { NULL };
    int n;

    n = mv_storage_pool_list_all_volumes(pool, &vols, 0);
    g_assert_cmpint(n, ==, 2);
    /* A file volume's key is its path. */
    g_assert_cmpstr(mv_storage_vol_get_key(vols[0]), ==, "/var/lib/fake/images/disk1.img");
    g_assert_cmpstr(mv_storage_vol_get_pool_name(vols[0]), ==, "default");
    for (int i = 0; i < n; i++)
        mv_storage_vol_free(vols[i]);
    g_free(vols);
    g_assert_cmpint(mv_storage_pool_num_of_volumes(pool), ==, 2);
    g_assert_cmpint(mv_storage_pool_list_volumes(pool, names, 4), ==, 2);
    g_free(names[0]);
    g_free(names[1]);

    vol = mv_storage_vol_create_xml(pool, "<volume><name>new.img</name>"
                                          "<capacity unit='M'>2</capacity></volume>", 0);
    g_assert_nonnull(vol);
    g_assert_cmpint(mv_storage_vol_get_info(vol, &info), ==, 0);
    g_assert_cmpint(info.type, ==, MV_STORAGE_VOL_FILE);
    g_assert_cmpuint(info.capacity, ==, 2 * 1024 * 1024);
    g_assert_cmpuint(info.allocation, ==, 0);
    g_assert_cmpint(mv_storage_vol_get_info_flags(vol, &info, MV_STORAGE_VOL_GET_PHYSICAL), ==, 0);
    g_assert_cmpuint(info.allocation, ==, 2 * 1024 * 1024);
    path = mv_storage_vol_get_path(vol);
    g_assert_cmpstr(path, ==, "/var/lib/fake/images/new.img");
    other = mv_storage_vol_lookup_by_path(f->conn, path);
    g_assert_cmpstr(mv_storage_vol_get_name(other), ==, "new.img");
    mv_storage_vol_free(other);
    other = mv_storage_vol_lookup_by_key(f->conn, "lvkey-vg0-lv1");
    g_assert_cmpstr(mv_storage_vol_get_name(other), ==, "lv1");
    owner = mv_storage_pool_lookup_by_volume(other);
    g_assert_cmpstr(mv_storage_pool_get_name(owner), ==, "vg0");
    mv_storage_pool_free(owner);
    mv_storage_vol_free(other);
    xml = mv_storage_vol_get_xml_desc(vol, 0);
    g_assert_nonnull(strstr(xml, "<key>/var/lib/fake/images/new.img</key>"));

    g_assert_cmpint(mv_storage_vol_resize(vol, 1024, 0), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, "Can't shrink");
    g_assert_cmpint(mv_storage_vol_resize(vol, 1024 * 1024, MV_STORAGE_VOL_RESIZE_DELTA), ==, 0);
    g_assert_cmpint(mv_storage_vol_get_info(vol, &info), ==, 0);
    g_assert_cmpuint(info.capacity, ==, 3 * 1024 * 1024);
    g_assert_cmpint(mv_storage_vol_wipe(vol, 0), ==, 0);
    g_assert_cmpint(mv_storage_vol_wipe_pattern(vol, MV_STORAGE_VOL_WIPE_ALG_DOD, 0), ==, -1);
    assert_last_error(MV_ERR_ARGUMENT_UNSUPPORTED, NULL);
    g_assert_cmpint(mv_storage_vol_wipe_pattern(vol, 99, 0), ==, -1);
    assert_last_error(MV_ERR_INVALID_ARG, NULL);

    clone = mv_storage_vol_create_xml_from(vg, "<volume><name>copy</name>"
                                               "<capacity>4096</capacity></volume>", vol, 0);
    g_assert_nonnull(clone);
    g_assert_cmpstr(mv_storage_vol_get_key(clone), ==, "lvkey-vg0-copy");
    g_assert_cmpint(mv_storage_vol_delete(clone, MV_STORAGE_VOL_DELETE_WITH_SNAPSHOTS), ==, 0);
    g_assert_cmpint(mv_storage_vol_delete(vol, 0), ==, 0);
    g_assert_null(mv_storage_vol_lookup_by_name(pool, "new.img"));
    assert_last_error(MV_ERR_NO_STORAGE_VOL,
                      "Storage volume not found: no storage vol with matching name 'new.img'");
    mv_storage_vol_free(clone);
    mv_storage_vol_free(vol);
    mv_storage_pool_free(pool);
    mv_storage_pool_free(vg);
}

/* ---- streams --------------------------------------------------------------------- */

#define MIB (1024 * 1024)

static MvStorageVol *
make_vol(Fixture *f, const char *name, unsigned long long capacity)
{
    g_autoptr(GError) error = NULL;
    MvStoragePool *pool = mv_storage_pool_lookup_by_name(f->conn, "default");
    g_autofree char *xml = g_strdup_printf("<volume><name>%s</name><capacity>%llu</capacity>"
                                           "</volume>", name, capacity);
    MvStorageVol *vol = mv_storage_vol_create_xml(pool, xml, 0);

    mv_storage_pool_free(pool);
    g_assert_nonnull(vol);
    return vol;
}

static void
test_stream_transfer(Fixture *f, gconstpointer data)
{
    MvStorageVol *vol = make_vol(f, "stream.img", 2 * MIB);
    g_autofree char *buf = g_malloc(2 * MIB);
    g_autofree char *back = g_malloc0(2 * MIB);
    MvStorageVolInfo info;
    MvStream *st;
    gsize got = 0;
    int n;

    for (gsize i = 0; i < 2 * MIB; i++)
        buf[i] = (char)(i * 7 + 3);
    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_stream_send(st, buf, 10), ==, -1);
    assert_last_error(MV_ERR_INVALID_STREAM, "not open");
    g_assert_cmpint(mv_storage_vol_upload(vol, st, 0, 0, 0), ==, 0);
    g_assert_cmpint(mv_storage_vol_upload(vol, st, 0, 0, 0), ==, -1);
    assert_last_error(MV_ERR_INVALID_STREAM, "already in use");
    g_assert_cmpint(mv_stream_send(st, buf, MIB), ==, MIB);
    g_assert_cmpint(mv_stream_send(st, buf + MIB, MIB), ==, MIB);
    g_assert_cmpint(mv_stream_finish(st), ==, 0);
    g_assert_cmpint(mv_stream_send(st, buf, 1), ==, -1);
    mv_stream_free(st);
    g_assert_cmpint(mv_storage_vol_get_info(vol, &info), ==, 0);
    g_assert_cmpuint(info.allocation, ==, 2 * MIB);

    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_storage_vol_download(vol, st, 0, 0, 0), ==, 0);
    while ((n = mv_stream_recv(st, back + got, 2 * MIB - got + 1)) > 0)
        got += n;
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpuint(got, ==, 2 * MIB);
    g_assert_true(memcmp(buf, back, 2 * MIB) == 0);
    g_assert_cmpint(mv_stream_finish(st), ==, 0);
    mv_stream_free(st);

    /* An upload past the end fails at finish, with the server's error. */
    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_storage_vol_upload(vol, st, 2 * MIB - 10, 0, 0), ==, 0);
    mv_stream_send(st, buf, 20);
    g_assert_cmpint(mv_stream_finish(st), ==, -1);
    assert_last_error(MV_ERR_OPERATION_FAILED, "beyond the end");
    mv_stream_free(st);
    mv_storage_vol_delete(vol, 0);
    mv_storage_vol_free(vol);
}

static void
test_stream_sparse(Fixture *f, gconstpointer data)
{
    MvStorageVol *vol = make_vol(f, "sparse.img", 4 * MIB);
    g_autofree char *buf = g_malloc(MIB);
    MvStorageVolInfo info;
    long long hole = 0;
    long long holes = 0;
    gsize bytes = 0;
    MvStream *st;
    int n;

    memset(buf, 'x', MIB);
    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_storage_vol_upload(vol, st, 0, 0, MV_STORAGE_VOL_UPLOAD_SPARSE_STREAM),
                    ==, 0);
    g_assert_cmpint(mv_stream_send_hole(st, MIB, 0), ==, 0);
    g_assert_cmpint(mv_stream_send(st, buf, MIB), ==, MIB);
    g_assert_cmpint(mv_stream_send_hole(st, 2 * MIB, 0), ==, 0);
    g_assert_cmpint(mv_stream_finish(st), ==, 0);
    mv_stream_free(st);
    g_assert_cmpint(mv_storage_vol_get_info(vol, &info), ==, 0);
    g_assert_cmpuint(info.allocation, ==, MIB);

    /* Sparse download: holes are reported, not read. */
    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_storage_vol_download(vol, st, 0, 0,
                                            MV_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM), ==, 0);
    for (;;) {
        n = mv_stream_recv_flags(st, buf, MIB, MV_STREAM_RECV_STOP_AT_HOLE);
        if (n == -3) {
            g_assert_cmpint(mv_stream_recv_hole(st, &hole, 0), ==, 0);
            holes += hole;
            continue;
        }
        g_assert_cmpint(n, >=, 0);
        if (n == 0)
            break;
        for (int i = 0; i < n; i++)
            g_assert_cmpint(buf[i], ==, 'x');
        bytes += n;
    }
    g_assert_cmpuint(bytes, ==, MIB);
    g_assert_cmpint(holes, ==, 3 * MIB);
    g_assert_cmpint(mv_stream_finish(st), ==, 0);
    mv_stream_free(st);

    /* Without STOP_AT_HOLE, holes read as zeros; here a window of 2 MiB. */
    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_storage_vol_download(vol, st, MIB / 2, 2 * MIB,
                                            MV_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM), ==, 0);
    bytes = 0;
    while ((n = mv_stream_recv(st, buf, 4096)) > 0) {
        for (int i = 0; i < n; i++)
            g_assert_cmpint(buf[i], ==, bytes + i < MIB / 2 || bytes + i >= 3 * MIB / 2
                                        ? 0 : 'x');
        bytes += n;
    }
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpuint(bytes, ==, 2 * MIB);
    g_assert_cmpint(mv_stream_finish(st), ==, 0);
    mv_stream_free(st);

    /* Holes in a non-sparse upload are refused by the server. */
    st = mv_stream_new(f->conn, 0);
    g_assert_cmpint(mv_storage_vol_upload(vol, st, 0, 0, 0), ==, 0);
    mv_stream_send_hole(st, 4096, 0);
    g_assert_cmpint(mv_stream_finish(st), ==, -1);
    assert_last_error(MV_ERR_RPC, "Unexpected stream hole");
    mv_stream_free(st);
    mv_storage_vol_free(vol);
}

/* Read from a non-blocking stream until @want is in what was read. */
static void
console_expect(MvStream *st, GString *acc, const char *want)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    struct pollfd pfd = { .fd = mv_stream_get_fd(st), .events = POLLIN };
    char buf[256];

    g_assert_cmpint(pfd.fd, >=, 0);
    while (!strstr(acc->str, want) && g_get_monotonic_time() < end) {
        int n = mv_stream_recv(st, buf, sizeof(buf));

        if (n == -2) {
            poll(&pfd, 1, 200);
            continue;
        }
        g_assert_cmpint(n, >, 0);
        g_string_append_len(acc, buf, n);
    }
    g_assert_nonnull(strstr(acc->str, want));
}

static void
test_stream_console(Fixture *f, gconstpointer data)
{
    MvDomain *alpha = mv_domain_lookup_by_name(f->conn, "alpha");
    MvDomain *bravo = mv_domain_lookup_by_name(f->conn, "Bravo");
    g_autoptr(GString) acc = g_string_new(NULL);
    MvStream *st = mv_stream_new(f->conn, MV_STREAM_NONBLOCK);
    MvStream *second = mv_stream_new(f->conn, MV_STREAM_NONBLOCK);
    MvStream *third = mv_stream_new(f->conn, MV_STREAM_NONBLOCK);
    char buf[64];

    g_assert_cmpint(mv_stream_recv(st, buf, sizeof(buf)), ==, -1);
    g_assert_cmpint(mv_domain_open_console(bravo, NULL, st, 0), ==, -1);
    assert_last_error(MV_ERR_OPERATION_INVALID, "not running");
    g_assert_cmpint(mv_domain_open_console(alpha, NULL, st, 0), ==, 0);
    console_expect(st, acc, "Fake console of alpha\r\n");
    g_assert_cmpint(mv_stream_send(st, "ls -l\r", 6), ==, 6);
    console_expect(st, acc, "ls -l\r");
    g_assert_cmpint(mv_stream_recv(st, buf, sizeof(buf)), ==, -2);

    g_assert_cmpint(mv_domain_open_console(alpha, NULL, second, 0), ==, -1);
    assert_last_error(MV_ERR_OPERATION_FAILED, "Active console session exists");
    g_assert_cmpint(mv_domain_open_console(alpha, "serial0", third,
                                           MV_DOMAIN_CONSOLE_FORCE), ==, 0);
    g_string_truncate(acc, 0);
    console_expect(third, acc, "Fake console of alpha");
    /* The first session was taken over. */
    g_string_truncate(acc, 0);
    for (int i = 0; i < 50; i++) {
        int n = mv_stream_recv(st, buf, sizeof(buf));

        if (n == -1)
            break;
        g_usleep(20 * 1000);
        g_assert_cmpint(i, <, 49);
    }
    assert_last_error(MV_ERR_OPERATION_FAILED, "taken over");
    g_assert_cmpint(mv_stream_abort(st), ==, 0);
    g_assert_cmpint(mv_stream_finish(third), ==, 0);
    g_assert_cmpint(mv_domain_open_console(alpha, "nosuchdev", second, 0), ==, -1);
    assert_last_error(MV_ERR_INTERNAL_ERROR, "nosuchdev");
    mv_stream_free(st);
    mv_stream_free(second);
    mv_stream_free(third);
    mv_domain_free(alpha);
    mv_domain_free(bravo);
}

/* ---- the server going away ---------------------------------------------- */

static void
closed_cb(MvConnect *conn, int reason, void *opaque)
{
    *(int *)opaque = reason;
}

static void
seen_generic_counter(MvConnect *conn, MvDomain *dom, void *opaque)
{
    (*(int *)opaque)++;
}

static void
test_server_hangup(Fixture *f, gconstpointer data)
{
    g_autofree char *sock = g_build_filename(f->dir, "sock", NULL);
    g_autofree char *uri = g_strdup_printf("qemu+unix:///system?socket=%s", sock);

    /* The connection dies in a call, with a close callback and events
     * registered, then goes: repeatedly, for the races with the I/O thread. */
    for (int i = 0; i < 40; i++) {
        MvConnect *conn = mv_connect_open(uri, 0);
        int reason = -1;
        int events = 0;

        g_assert_nonnull(conn);
        g_assert_cmpint(mv_connect_register_close_callback(conn, closed_cb, &reason, NULL), ==,
                        0);
        g_assert_cmpint(mv_connect_domain_event_register_any(conn, NULL,
                                                             MV_DOMAIN_EVENT_ID_REBOOT,
                                                             seen_generic_counter, &events,
                                                             NULL), >=, 0);
        g_assert_null(mv_domain_lookup_by_name(conn, "hangup"));
        g_assert_nonnull(mv_get_last_error());
        g_assert_cmpint(mv_connect_is_alive(conn), ==, 0);
        if (i % 2 == 0) {
            wait_events(&reason, reason == -1 ? 1 : reason);
            g_assert_cmpint(reason, ==, 1);
        }
        /* A close callback still queued holds the last reference. */
        g_assert_cmpint(mv_connect_close(conn), >=, 0);
        mv_event_dispatch_pending();
    }
}

static void
test_readonly(Fixture *f, gconstpointer data)
{
    g_autofree char *sock = g_build_filename(f->dir, "sock", NULL);
    g_autofree char *uri = g_strdup_printf("qemu+unix:///system?socket=%s", sock);
    MvConnect *conn = mv_connect_open(uri, MV_CONNECT_RO);
    MvDomain *dom;
    MvStoragePool *pool;
    MvStream *st;
    char *xml;
    const MvError *err;

    /* A read-only connection over a read-write socket: the library refuses
     * every write itself, with libvirt's error, and sends nothing. */
    g_assert_nonnull(conn);
    dom = mv_domain_lookup_by_name(conn, "alpha");
    g_assert_nonnull(dom);
    pool = mv_storage_pool_lookup_by_name(conn, "default");
    g_assert_nonnull(pool);
    fake_remote_reset_calls(f->fr);
    g_assert_cmpint(mv_domain_suspend(dom), ==, -1);
    assert_last_error(MV_ERR_OPERATION_DENIED, "read only access prevents virDomainSuspend");
    err = mv_get_last_error();
    g_assert_cmpint(err->domain, ==, MV_FROM_DOMAIN);
    g_assert_cmpint(mv_domain_set_autostart(dom, 1), ==, -1);
    assert_last_error(MV_ERR_OPERATION_DENIED, "virDomainSetAutostart");
    g_assert_null(mv_domain_define_xml(conn, "<domain type='kvm'><name>x</name></domain>"));
    assert_last_error(MV_ERR_OPERATION_DENIED, "virDomainDefineXML");
    g_assert_null(mv_domain_get_xml_desc(dom, MV_DOMAIN_XML_SECURE));
    assert_last_error(MV_ERR_OPERATION_DENIED, "virDomainGetXMLDesc with secure flag");
    g_assert_cmpint(mv_storage_pool_create(pool, 0), ==, -1);
    assert_last_error(MV_ERR_OPERATION_DENIED, "virStoragePoolCreate");
    g_assert_cmpint(mv_get_last_error()->domain, ==, MV_FROM_STORAGE);
    /* Every write procedure, checked in its generated stub: also those no
     * API function names one by one. */
    g_assert_null(mv_connect_find_storage_pool_sources(conn, "logical", NULL, 0));
    assert_last_error(MV_ERR_OPERATION_DENIED, "virConnectFindStoragePoolSources");
    st = mv_stream_new(conn, 0);
    g_assert_cmpint(mv_domain_open_console(dom, NULL, st, 0), ==, -1);
    assert_last_error(MV_ERR_OPERATION_DENIED, "virDomainOpenConsole");
    mv_stream_free(st);
    g_assert_cmpuint(fake_remote_calls_total(f->fr), ==, 0);
    /* Reads go through. */
    xml = mv_domain_get_xml_desc(dom, 0);
    g_assert_nonnull(xml);
    g_free(xml);
    g_assert_cmpuint(fake_remote_calls(f->fr, REMOTE_PROC_DOMAIN_GET_XML_DESC), ==, 1);
    mv_storage_pool_free(pool);
    mv_domain_free(dom);
    mv_connect_close(conn);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, func) \
    g_test_add(path, Fixture, NULL, fixture_setup, func, fixture_teardown)
    ADD("/lib/domain/lookup", test_domain_lookup);
    ADD("/lib/domain/lists", test_domain_lists);
    ADD("/lib/domain/lifecycle", test_domain_lifecycle);
    ADD("/lib/domain/info", test_domain_info);
    ADD("/lib/domain/stats", test_domain_stats);
    ADD("/lib/events/domain", test_events_domain);
    ADD("/lib/events/pool", test_events_pool);
    ADD("/lib/storage/pools", test_storage_pools);
    ADD("/lib/storage/vols", test_storage_vols);
    ADD("/lib/stream/transfer", test_stream_transfer);
    ADD("/lib/stream/sparse", test_stream_sparse);
    ADD("/lib/stream/console", test_stream_console);
    ADD("/lib/connect/hangup", test_server_hangup);
    ADD("/lib/connect/readonly", test_readonly);
#undef ADD
    return g_test_run();
}
