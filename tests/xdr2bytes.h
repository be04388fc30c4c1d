/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xdr2bytes.h: hand-written wire vectors for the XDR round-trip test.
 *
 * A vector names a file of expected bytes (xdr2bytesdata/FILE.hex, written
 * by hand from the protocol's specification), the XDR type it holds, a
 * function filling an instance of that type with the values the bytes
 * encode, and a function comparing two instances field by field.  With a
 * header, the file holds a whole packet (length word, header, fd count for
 * the *_WITH_FDS types, payload); without one, the bare XDR payload.
 *
 * Adding a procedure: for each of its _args/_ret/_msg structs, either one
 * XV_SHAPE_* line when it has a common shape (xdr2bytes-remote.h) and a
 * table line naming the shape's file, or a FILE.hex of its own with build_
 * and eq_ functions.  The tables are per area: xdr2bytes-remote.c (envelope
 * and connection), -domain.c, -storage.c, -admin.c.  The coverage test fails
 * while a procedure whose @generate is not "none" lacks them.
 */
#pragma once

#include <rpc/rpc.h>

#include <glib.h>

#include "rpc/message.h"

typedef void (*XdrBuildFunc)(void *obj);
typedef void (*XdrEqualFunc)(const void *expected, const void *actual);

typedef struct {
    const char *file;              /* xdr2bytesdata/<file>.hex */
    const char *type;              /* the XDR type, e.g. remote_connect_open_args */
    xdrproc_t filter;              /* xdr_<type>; NULL for a packet without payload */
    gsize size;                    /* sizeof(<type>) */
    XdrBuildFunc build;            /* NULL for a packet without payload */
    XdrEqualFunc equal;
    const MvMessageHeader *header; /* NULL: a bare payload */
    guint nfds;                    /* fds attached to a *_WITH_FDS packet */
    gboolean bad;                  /* the bytes must fail to decode */
} XdrVector;

/* A bare payload of @type, filled by build_@name, compared by eq_@type. */
#define XV_PAYLOAD(file, type, name) \
    { file, #type, (xdrproc_t)xdr_##type, sizeof(type), build_##name, eq_##type, NULL, 0, FALSE }
/* A whole packet: @hdr (an MvMessageHeader) then the payload. */
#define XV_PACKET(file, hdr, type, name) \
    { file, #type, (xdrproc_t)xdr_##type, sizeof(type), build_##name, eq_##type, &hdr, 0, FALSE }
#define XV_PACKET_FDS(file, hdr, type, name, nfds) \
    { file, #type, (xdrproc_t)xdr_##type, sizeof(type), build_##name, eq_##type, &hdr, nfds, FALSE }
/* A packet with an empty payload (void procedures, keepalive). */
#define XV_EMPTY(file, hdr) \
    { file, NULL, NULL, 0, NULL, NULL, &hdr, 0, FALSE }
/* Bytes that must not decode as @type (a limit exceeded, a bad union arm). */
#define XV_BAD(file, type) \
    { file, #type, (xdrproc_t)xdr_##type, sizeof(type), NULL, NULL, NULL, 0, TRUE }
#define XV_BAD_PACKET(file, hdr, type) \
    { file, #type, (xdrproc_t)xdr_##type, sizeof(type), NULL, NULL, &hdr, 0, TRUE }

/* The tables, each ended by an entry whose file is NULL. */
extern const XdrVector xdr2bytes_rpc_vectors[];
extern const XdrVector xdr2bytes_remote_vectors[];
extern const XdrVector xdr2bytes_domain_vectors[];
extern const XdrVector xdr2bytes_storage_vectors[];
extern const XdrVector xdr2bytes_admin_vectors[];

/* Field comparisons shared by the tables. */
void xv_eq_str(const char *expected, const char *actual);
void xv_eq_optstr(char *const *expected, char *const *actual);
void xv_eq_bytes(const void *expected, const void *actual, gsize len);

/* The UUID every vector uses: 00112233-4455-6677-8899-aabbccddeeff. */
extern const unsigned char xv_uuid[16];

/* Parse the text of a .hex file (hex digits, "ASCII", HEX*COUNT, # comments). */
GBytes *xv_parse_hex(const char *text, GError **error);
