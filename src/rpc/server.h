/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.h: an RPC server: listening sockets ("services"), the clients they
 * accept, the programs it dispatches and the workers that run the calls.
 *
 * A daemon runs two servers on one main loop (see net-daemon.h): one named
 * after the daemon carrying the remote program, and "admin".
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "rpc/conn.h"
#include "rpc/message.h"
#include "rpc/workerpool.h"

typedef struct _MvServer MvServer;
typedef struct _MvServerClient MvServerClient;
typedef struct _MvServerCall MvServerCall;
typedef struct _MvServerStream MvServerStream;
typedef struct _MvNetDaemon MvNetDaemon;

typedef int (*MvServerProcFunc)(MvServerCall *call, void *args, void *ret, GError **error);

typedef enum {
    MV_PROC_PRIORITY = 1 << 0,   /* may run on a priority worker */
    MV_PROC_INLINE = 1 << 1,     /* cheap and never blocks: run on the I/O thread */
    MV_PROC_PREOPEN = 1 << 2,    /* allowed before CONNECT_OPEN */
    MV_PROC_WRITE = 1 << 3,      /* changes state: refused on read-only sockets */
    MV_PROC_KNOWN = 1 << 4,      /* a procedure number of the protocol */
} MvProcFlags;

typedef struct {
    MvServerProcFunc func;       /* NULL: not implemented by this server */
    xdrproc_t args_filter;
    gsize args_size;
    xdrproc_t ret_filter;
    gsize ret_size;
    guint flags;                 /* MvProcFlags */
} MvServerProc;

typedef struct {
    guint32 prog;
    guint32 vers;
    const MvServerProc *procs;   /* indexed by procedure number */
    guint nprocs;
    /* The text of the read-only refusal: "read only access prevents %s". */
    const char *(*proc_api_name)(int proc);
    int (*proc_error_domain)(int proc);
} MvServerProgram;

/* Per-client state a program keeps (the remote program's open connection,
 * event registrations...). */
typedef gpointer (*MvServerClientPrivNew)(MvServerClient *client);
typedef void (*MvServerClientPrivFree)(MvServerClient *client, gpointer priv);

/* A server that forwards packets instead of dispatching them (the proxy).
 * Called on the I/O thread for every packet but keepalive; owns @msg. */
typedef void (*MvServerRawFunc)(MvServerClient *client, MvMessage *msg, gpointer opaque);

typedef struct {
    guint min_workers;
    guint max_workers;
    guint prio_workers;
    guint max_clients;
    guint max_anonymous_clients;
    guint max_client_requests;
    guint keepalive_interval;
    guint keepalive_count;
} MvServerConfig;

void mv_server_config_defaults(MvServerConfig *cfg);

MvServer *mv_server_new(const char *name, const MvServerConfig *cfg, GMainContext *ctx);
MvServer *mv_server_ref(MvServer *srv);
void mv_server_unref(MvServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvServer, mv_server_unref)
const char *mv_server_get_name(MvServer *srv);
GMainContext *mv_server_get_context(MvServer *srv);

void mv_server_add_program(MvServer *srv, const MvServerProgram *prog);
void mv_server_set_client_priv(MvServer *srv, MvServerClientPrivNew priv_new,
                               MvServerClientPrivFree priv_free);
void mv_server_set_raw_handler(MvServer *srv, MvServerRawFunc func, gpointer opaque);
/* Called (on the I/O thread) whenever a client comes or goes. */
void mv_server_set_client_count_cb(MvServer *srv, void (*cb)(MvServer *srv, gpointer opaque),
                                   gpointer opaque);
void mv_server_set_opaque(MvServer *srv, gpointer opaque);
gpointer mv_server_get_opaque(MvServer *srv);

/* Bind @path (unlinking a stale socket), chmod it to @mode, and listen. */
gboolean mv_server_add_service_unix(MvServer *srv, const char *path, mode_t mode,
                                    gboolean readonly, GError **error);
/* Listen on an fd we were given (socket activation). */
gboolean mv_server_add_service_fd(MvServer *srv, int fd, gboolean readonly, GError **error);
/* Adopt an already connected socket as a client. */
MvServerClient *mv_server_add_client_fd(MvServer *srv, int fd, gboolean readonly);
/* Stop accepting and close every client. */
void mv_server_close(MvServer *srv);
/*
 * After mv_server_close(): wait for the calls running on workers to end
 * (queued ones are dropped), iterating the server's main context meanwhile
 * (a call may wait for something the loop delivers).  Call before freeing
 * what the handlers use.
 */
void mv_server_drain(MvServer *srv);

guint mv_server_client_count(MvServer *srv);
/* A reference to each client. */
GPtrArray *mv_server_list_clients(MvServer *srv);
MvServerClient *mv_server_lookup_client(MvServer *srv, guint64 id);

/* The most calls a client may have in progress before we stop reading it. */
guint mv_server_get_max_client_requests(MvServer *srv);
void mv_server_get_worker_stats(MvServer *srv, MvWorkerPoolStats *stats);
gboolean mv_server_set_worker_limits(MvServer *srv, guint min_workers, guint max_workers,
                                     guint prio_workers, GError **error);
void mv_server_get_client_limits(MvServer *srv, guint *max_clients, guint *cur_clients,
                                 guint *max_unauth, guint *cur_unauth);
gboolean mv_server_set_client_limits(MvServer *srv, guint max_clients, guint max_unauth,
                                     GError **error);

/* ---- clients --------------------------------------------------------- */

typedef struct {
    uid_t uid;
    gid_t gid;
    pid_t pid;
    guint64 process_time;
    char *user_name;
    char *group_name;
} MvIdentity;

MvServerClient *mv_server_client_ref(MvServerClient *client);
void mv_server_client_unref(MvServerClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MvServerClient, mv_server_client_unref)

MvServer *mv_server_client_get_server(MvServerClient *client);
guint64 mv_server_client_get_id(MvServerClient *client);
gint64 mv_server_client_get_timestamp(MvServerClient *client);
gboolean mv_server_client_is_readonly(MvServerClient *client);
/* From now on every write procedure of @client is refused, as on a
 * read-only socket (a CONNECT_OPEN with VIR_CONNECT_RO).  Never undone. */
void mv_server_client_set_readonly(MvServerClient *client);
gpointer mv_server_client_get_priv(MvServerClient *client);
MvRpcConn *mv_server_client_get_conn(MvServerClient *client);
/* The peer as the socket reports it. */
void mv_server_client_get_peer(MvServerClient *client, uid_t *uid, gid_t *gid, pid_t *pid);
/* The identity the client acts as: the peer, or what a trusted proxy told
 * us with CONNECT_SET_IDENTITY.  Copy into @ident (free with
 * mv_identity_clear). */
void mv_server_client_get_identity(MvServerClient *client, MvIdentity *ident);
void mv_server_client_set_identity(MvServerClient *client, const MvIdentity *ident);
void mv_identity_clear(MvIdentity *ident);
/* Is the peer allowed to assert another identity (root, or our own uid)? */
gboolean mv_server_client_is_trusted(MvServerClient *client);

void mv_server_client_set_opened(MvServerClient *client, gboolean opened);
gboolean mv_server_client_is_opened(MvServerClient *client);

/* Start pinging the client (it asked for keepalive). */
void mv_server_client_start_keepalive(MvServerClient *client);
/* Send an unsolicited MESSAGE (event): serial 1, status OK. */
gboolean mv_server_client_send_event(MvServerClient *client, guint32 prog, guint32 vers,
                                     int proc, xdrproc_t filter, void *data);
/* Queue a packet as is. */
gboolean mv_server_client_send(MvServerClient *client, MvMessage *msg);
void mv_server_client_close(MvServerClient *client);
gboolean mv_server_client_is_closed(MvServerClient *client);

/* ---- calls ----------------------------------------------------------- */

MvServerClient *mv_server_call_get_client(MvServerCall *call);
/*
 * An inline procedure (run on the I/O thread) that finds it would have to
 * wait returns MV_SERVER_CALL_TO_WORKER instead of 0 or -1: the call is
 * then run again, from its undecoded arguments, on a worker.  Only valid
 * while mv_server_call_is_inline() is TRUE.
 */
#define MV_SERVER_CALL_TO_WORKER 1
gboolean mv_server_call_is_inline(MvServerCall *call);
const MvMessageHeader *mv_server_call_get_header(MvServerCall *call);
/* Take fd @i of a CALL_WITH_FDS (caller owns it), or -1. */
int mv_server_call_take_fd(MvServerCall *call, guint i);
guint mv_server_call_num_fds(MvServerCall *call);
/* Send @fd back with the reply (REPLY_WITH_FDS); ownership taken. */
void mv_server_call_add_reply_fd(MvServerCall *call, int fd);
/*
 * Everything the return struct points to is owned by @data, not allocated
 * piece by piece: once the reply is encoded (or the call failed), the
 * server calls @free_fn(@data) instead of xdr_free() on it.  For big lists,
 * where one block for all the strings saves a malloc and a free for each.
 */
void mv_server_call_set_ret_owner(MvServerCall *call, GDestroyNotify free_fn, gpointer data);
/*
 * The size of the reply's encoded return (XDR bytes; a bound will do),
 * where the handler knows it: the reply buffer is made that big at once.
 * Without it a return that does not fit the first buffer is encoded twice
 * over, a counting pass (xdr_sizeof()) then the real one: for a list of
 * thousands of names, most of the handler's time.
 */
void mv_server_call_set_reply_size(MvServerCall *call, gsize bytes);

/* Close the client once this call's reply is queued (CONNECT_CLOSE's
 * "delayed close"); other calls of the client ending meanwhile do not. */
void mv_server_call_close_after_reply(MvServerCall *call);

/* ---- streams ----------------------------------------------------------- */

typedef struct {
    /* Data from the client (a write stream).  Runs on the I/O thread. */
    gboolean (*recv)(MvServerStream *st, const guint8 *data, gsize len, gpointer opaque,
                     GError **error);
    /* A hole from the client (sparse streams). */
    gboolean (*hole)(MvServerStream *st, gint64 length, gpointer opaque, GError **error);
    /* The client finished; FALSE turns into a stream error. */
    gboolean (*finish)(MvServerStream *st, gpointer opaque, GError **error);
    /* The client aborted or went away. */
    void (*abort)(MvServerStream *st, gpointer opaque);
    /* The reply opening the stream was sent: start producing data. */
    void (*start)(MvServerStream *st, gpointer opaque);
    void (*free)(gpointer opaque);
    /* Instead of finish, when ending takes work that may block (flushing
     * an upload to a slow disk): called on the I/O thread, returns at once;
     * the work ends with mv_server_stream_finish_done().  With it, the
     * client's abort is confirmed by mv_server_stream_finish_done() too
     * (once abort() stopped the work), not at once. */
    void (*finish_begin)(MvServerStream *st, gpointer opaque);
} MvServerStreamOps;

/* Open a stream on the call's serial; it starts once the reply is sent. */
MvServerStream *mv_server_call_open_stream(MvServerCall *call, const MvServerStreamOps *ops,
                                           gpointer opaque, gboolean allow_holes);
MvServerStream *mv_server_stream_ref(MvServerStream *st);
void mv_server_stream_unref(MvServerStream *st);
MvServerClient *mv_server_stream_get_client(MvServerStream *st);
/* Data to the client (a read stream); any thread.  FALSE once closed. */
gboolean mv_server_stream_send_data(MvServerStream *st, const void *data, gsize len);
gboolean mv_server_stream_send_hole(MvServerStream *st, gint64 length);
/* End of data: an empty CONTINUE packet. */
gboolean mv_server_stream_send_eof(MvServerStream *st);
/* Fail the stream: a STREAM ERROR packet, and the stream is gone. */
void mv_server_stream_send_error(MvServerStream *st, const GError *error);
/* The end of a finish_begin(): confirm the client's finish (@error NULL)
 * or fail the stream.  Any thread. */
void mv_server_stream_finish_done(MvServerStream *st, const GError *error);
/* Block until the client has taken enough of what we sent (not on the I/O
 * thread).  FALSE when the stream or client is gone. */
gboolean mv_server_stream_wait_writable(MvServerStream *st);
gboolean mv_server_stream_is_closed(MvServerStream *st);
