/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakeremote.h: an in-memory server of the remote program (domains,
 * storage pools and volumes, their events and streams) for the client
 * tests: libmodvirt's, mvsh's, and stock virsh's as the format oracle.
 *
 * It speaks the real protocol through src/rpc's server, so whatever talks
 * to it exercises the same encoding as against the daemons.  Domains never
 * run anything: they only change state.  Volumes hold their data in memory
 * as 64 KiB blocks; a missing block is a hole.
 */
#pragma once

#include <glib.h>

typedef struct _FakeRemote FakeRemote;

/* A server with its own I/O thread and no objects. */
FakeRemote *fake_remote_new(void);
void fake_remote_free(FakeRemote *fr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FakeRemote, fake_remote_free)

/* Listen on a UNIX socket at @path. */
gboolean fake_remote_listen(FakeRemote *fr, const char *path, GError **error);

/* How many calls of procedure @proc were made since the last reset. */
guint fake_remote_calls(FakeRemote *fr, int proc);
/* Calls of any procedure after the connection handshake (AUTH_LIST,
 * CONNECT_OPEN, CONNECT_SUPPORTS_FEATURE, CONNECT_CLOSE and the close
 * callback calls are not counted). */
guint fake_remote_calls_total(FakeRemote *fr);
void fake_remote_reset_calls(FakeRemote *fr);
/* Write "call N\n" to @fd for every call (-1: stop). */
void fake_remote_set_call_log(FakeRemote *fr, int fd);

/* Forget procedure @proc, as an older server would not know it. */
void fake_remote_disable_proc(FakeRemote *fr, int proc);

/* Fill the server with a few domains, a dir pool and volumes. */
void fake_remote_populate(FakeRemote *fr);
