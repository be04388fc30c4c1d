/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemudomainlisttest.c: the QEMU driver's domain list (qemu-domain.c).
 *
 * Listing returns the domains sorted by name, whatever the order they were
 * added in, and follows every addition and removal (the sorted order is
 * kept between listings and must be dropped on each change);
 * qemu_domain_list_foreach() sees the same order and the total.
 */
#include <string.h>

#include <glib.h>

#include "drivers/qemu/qemu-domain.h"

static DomainDef *
make_def(const char *name, guint8 seed)
{
    DomainDef *def = domain_def_new();

    def->name = g_strdup(name);
    memset(def->uuid, seed, sizeof(def->uuid));
    return def;
}

typedef struct {
    GString *names;
    guint calls;
    guint total;
} Walk;

static void
walk_one(QemuDomainObj *obj, guint total, gpointer opaque)
{
    Walk *w = opaque;

    g_string_append_printf(w->names, "%s%s", w->names->len ? " " : "", obj->name);
    w->calls++;
    w->total = total;
}

static char *
names_all(QemuDomainList *list)
{
    g_autoptr(GPtrArray) all = qemu_domain_list_all(list);
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < all->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "",
                               ((QemuDomainObj *)g_ptr_array_index(all, i))->name);
    return g_string_free(s, FALSE);
}

static char *
names_walk(QemuDomainList *list, guint *ret_total)
{
    Walk w = { .names = g_string_new(NULL) };

    qemu_domain_list_foreach(list, walk_one, &w);
    g_assert_cmpuint(w.calls, ==, w.calls ? w.total : 0);
    *ret_total = w.calls;
    return g_string_free(w.names, FALSE);
}

static void
check_order(QemuDomainList *list, const char *want)
{
    g_autofree char *all = names_all(list);
    g_autofree char *walked = NULL;
    guint n = 0;

    g_assert_cmpstr(all, ==, want);
    walked = names_walk(list, &n);
    g_assert_cmpstr(walked, ==, want);
    g_assert_cmpuint(n, ==, qemu_domain_list_count(list));
}

static void
test_order(void)
{
    QemuDomainList *list = qemu_domain_list_new();
    const char *names[] = { "delta", "alpha", "charlie", "bravo" };
    QemuDomainObj *bravo = NULL;
    QemuDomainObj *obj;

    check_order(list, "");
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        obj = qemu_domain_list_add(list, make_def(names[i], i + 1), TRUE, NULL);
        g_assert_nonnull(obj);
        if (g_str_equal(names[i], "bravo"))
            bravo = qemu_domain_obj_ref(obj);
        qemu_domain_obj_unref(obj);
    }
    check_order(list, "alpha bravo charlie delta");
    /* Listed again: the order kept from the last listing. */
    check_order(list, "alpha bravo charlie delta");

    obj = qemu_domain_list_add(list, make_def("aardvark", 9), TRUE, NULL);
    qemu_domain_obj_unref(obj);
    check_order(list, "aardvark alpha bravo charlie delta");

    qemu_domain_list_remove(list, bravo);
    qemu_domain_obj_unref(bravo);
    check_order(list, "aardvark alpha charlie delta");

    /* A name or uuid already there: refused, the order unchanged. */
    g_assert_null(qemu_domain_list_add(list, make_def("alpha", 42), TRUE, NULL));
    check_order(list, "aardvark alpha charlie delta");
    qemu_domain_list_free(list);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu/domain-list/order", test_order);
    return g_test_run();
}
