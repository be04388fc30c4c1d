/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "util/uuid.h"

/* A random (version 4) UUID.  NB: from getrandom(), one syscall; GLib's
 * generator opened, read and closed /dev/urandom for each one, which a
 * define paid for. */
void
mv_uuid_generate(unsigned char uuid[MV_UUID_LEN])
{
    gsize got = 0;

    while (got < MV_UUID_LEN) {
        ssize_t n = getrandom(uuid + got, MV_UUID_LEN - got, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    if (got < MV_UUID_LEN) {
        g_autofree char *s = g_uuid_string_random();

        mv_uuid_parse(s, uuid);
        return;
    }
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

static int
uuid_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

gboolean
mv_uuid_parse(const char *str, unsigned char uuid[MV_UUID_LEN])
{
    const char *p = str;
    int i = 0;

    if (!str)
        return FALSE;
    while (g_ascii_isspace(*p))
        p++;
    while (i < MV_UUID_LEN) {
        int hi, lo;

        if (*p == '-') {
            p++;
            continue;
        }
        hi = uuid_hex(p[0]);
        lo = hi >= 0 ? uuid_hex(p[1]) : -1;
        if (lo < 0)
            return FALSE;
        uuid[i++] = (unsigned char)((hi << 4) | lo);
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    return *p == '\0';
}

char *
mv_uuid_format(const unsigned char uuid[MV_UUID_LEN], char buf[37])
{
    g_snprintf(buf, 37,
               "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
               uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
               uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
    return buf;
}

gboolean
mv_uuid_is_null(const unsigned char uuid[MV_UUID_LEN])
{
    static const unsigned char zero[MV_UUID_LEN];

    return memcmp(uuid, zero, MV_UUID_LEN) == 0;
}
