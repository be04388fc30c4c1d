/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote-priv.h: the state of the fake remote server, shared by its
 * files (fakeremote.c: server, handshake, events; fakeremote-domain.c;
 * fakeremote-storage.c).
 */
#pragma once

#include <glib.h>

#include "fakeremote.h"
#include "remote-protocol.h"
#include "rpc/server.h"
#include "util/error.h"

#define FAKE_NPROCS 450
#define FAKE_BLOCK (64 * 1024)

typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;                      /* -1 when inactive */
    int state;
    int reason;
    gboolean persistent;
    gboolean autostart;
    char *title;
    unsigned long long memory;   /* KiB */
    unsigned int vcpus;
    MvServerStream *console;     /* the open console session, if any */
} FakeDom;

typedef struct {
    char *name;
    char *key;
    char *path;
    unsigned long long capacity;
    GHashTable *blocks;          /* block index -> FAKE_BLOCK bytes */
} FakeVol;

typedef struct {
    char *name;
    unsigned char uuid[16];
    char *type;
    char *target;
    gboolean active;
    gboolean persistent;
    gboolean autostart;
    GPtrArray *vols;             /* FakeVol */
} FakePool;

typedef enum {
    FAKE_EV_DOMAIN,
    FAKE_EV_POOL,
} FakeEventKind;

typedef struct {
    MvServerClient *client;      /* a reference */
    FakeEventKind kind;
    int callback_id;
    int event_id;
    gboolean filtered;
    unsigned char uuid[16];
} FakeReg;

struct _FakeRemote {
    GMutex lock;                 /* everything below */
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    MvServer *srv;
    MvServerProc procs[FAKE_NPROCS];
    MvServerProgram program;
    GPtrArray *doms;             /* FakeDom */
    GPtrArray *pools;            /* FakePool */
    GPtrArray *regs;             /* FakeReg */
    int next_dom_id;
    int next_callback_id;
    gint calls[FAKE_NPROCS];
    int call_log_fd;
};

/* The server of @call, with the call counted. */
FakeRemote *fake_enter(MvServerCall *call);

/* Register a handler: @args and @ret are the XDR filters and sizes. */
void fake_proc(FakeRemote *fr, int proc, MvServerProcFunc func, xdrproc_t args_filter,
               gsize args_size, xdrproc_t ret_filter, gsize ret_size);
#define FAKE_PROC(fr, num, func, argt, rett) \
    fake_proc(fr, num, func, (xdrproc_t)xdr_##argt, sizeof(argt), (xdrproc_t)xdr_##rett, \
              sizeof(rett))
#define FAKE_PROC_NOARGS(fr, num, func, rett) \
    fake_proc(fr, num, func, NULL, 0, (xdrproc_t)xdr_##rett, sizeof(rett))
#define FAKE_PROC_NORET(fr, num, func, argt) \
    fake_proc(fr, num, func, (xdrproc_t)xdr_##argt, sizeof(argt), NULL, 0)

void fake_domain_register(FakeRemote *fr);
void fake_domain_register_more(FakeRemote *fr);
void fake_storage_register(FakeRemote *fr);
void fake_volume_register(FakeRemote *fr);

/* Pools, for the volume procedures.  Lock held. */
void fake_pool_to_remote(FakePool *pool, remote_nonnull_storage_pool *out);
FakePool *fake_pool_by_name(FakeRemote *fr, const char *name, GError **error);
FakePool *fake_pool_find(FakeRemote *fr, const remote_nonnull_storage_pool *rpool,
                         GError **error);
gboolean fake_pool_check_active(FakePool *pool, gboolean want, GError **error);

/* Events: send to every matching registration.  Lock held. */
void fake_emit_domain_lifecycle(FakeRemote *fr, FakeDom *dom, int event, int detail);
void fake_emit_domain_reboot(FakeRemote *fr, FakeDom *dom);
void fake_emit_pool_lifecycle(FakeRemote *fr, FakePool *pool, int event);
void fake_emit_pool_refresh(FakeRemote *fr, FakePool *pool);
/* Add a registration; returns its callback id.  Lock held. */
int fake_event_register(FakeRemote *fr, MvServerClient *client, FakeEventKind kind,
                        int event_id, const unsigned char *uuid);
gboolean fake_event_deregister(FakeRemote *fr, MvServerClient *client, FakeEventKind kind,
                               int callback_id, GError **error);

/* Objects. */
void fake_dom_free(gpointer data);
void fake_pool_free(gpointer data);
void fake_vol_free(gpointer data);
FakeDom *fake_dom_add(FakeRemote *fr, const char *name, unsigned long long memory,
                      unsigned int vcpus, const char *title);
FakePool *fake_pool_add(FakeRemote *fr, const char *name, const char *type,
                        const char *target);
FakeVol *fake_vol_add(FakePool *pool, const char *name, unsigned long long capacity);
unsigned long long fake_vol_allocation(FakeVol *vol);

/* The text between <@tag...> and </@tag> in @xml, or NULL. */
char *fake_xml_element(const char *xml, const char *tag);
/* The value of attribute @attr of the first <@tag ...>, or NULL. */
char *fake_xml_attr(const char *xml, const char *tag, const char *attr);
