/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-postparse.c: what libvirt fills in after parsing, so that a
 * parsed definition formats like libvirt's: defaults (disk bus, input bus,
 * video RAM, rng path, boot device), controller indexes, drive addresses,
 * chardev ports, the console/serial link, implicit controllers and video,
 * and the inactive-only chardev path rules (libvirt commit be6a415e).
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "util/error.h"

/* ---- chardevs ------------------------------------------------------------------- */

/* Does @path look like one modvirt (or libvirt) generated for @chr? */
static gboolean
domain_chr_path_is_generated(const DomainChrDef *chr, const char *dir)
{
    g_autofree char *edir = NULL;
    g_autofree char *ename = NULL;
    g_autofree char *pattern = NULL;

    if (!dir || !chr->target_name || !chr->source.path)
        return FALSE;
    edir = g_regex_escape_string(dir, -1);
    ename = g_regex_escape_string(chr->target_name, -1);
    pattern = g_strdup_printf("^%s/+(?:[^/]+\\.|domain-[^/]+/)%s$", edir, ename);
    return g_regex_match_simple(pattern, chr->source.path, 0, 0);
}

/*
 * Inactive definitions (define, create): a virtio channel whose unix path
 * is one modvirt generates loses it, and a unix chardev without a path
 * listens (mode bind); modvirt picks the path at start.  Doing the flip
 * here rather than at start lets validation reject <reconnect> on it.
 */
static void
domain_chr_inactive_rules(DomainChrDef *chr, const DomainXMLOptions *opts)
{
    DomainChrSourceDef *src = &chr->source;

    if (src->type != DOMAIN_CHR_TYPE_UNIX)
        return;
    if (chr->device_type == DOMAIN_CHR_DEVICE_CHANNEL && chr->target_type &&
        g_str_equal(chr->target_type, "virtio") &&
        domain_chr_path_is_generated(chr, opts ? opts->channel_target_dir : NULL))
        g_clear_pointer(&src->path, g_free);
    if (!src->path) {
        src->mode = DOMAIN_CHR_MODE_BIND;
        src->mode_set = TRUE;
    }
}

static void
domain_chr_assign_ports(GPtrArray *list, gboolean isa_first)
{
    gboolean used[4] = { FALSE };

    if (isa_first) {
        for (guint i = 0; i < list->len; i++) {
            DomainChrDef *chr = g_ptr_array_index(list, i);

            if (chr->target_type && g_str_equal(chr->target_type, "isa-serial") &&
                chr->target_port >= 0 && chr->target_port < 4)
                used[chr->target_port] = TRUE;
        }
        for (guint i = 0; i < list->len; i++) {
            DomainChrDef *chr = g_ptr_array_index(list, i);

            if (!chr->target_type || !g_str_equal(chr->target_type, "isa-serial") ||
                chr->target_port >= 0)
                continue;
            for (int p = 0; p < 4; p++) {
                if (!used[p]) {
                    chr->target_port = p;
                    used[p] = TRUE;
                    break;
                }
            }
        }
    }
    for (guint i = 0; i < list->len; i++) {
        DomainChrDef *chr = g_ptr_array_index(list, i);
        int max = -1;

        if (chr->target_port >= 0)
            continue;
        for (guint j = 0; j < list->len; j++) {
            DomainChrDef *o = g_ptr_array_index(list, j);

            max = MAX(max, o->target_port);
        }
        chr->target_port = max + 1;
    }
}

static gboolean
domain_chr_source_equal(const DomainChrSourceDef *a, const DomainChrSourceDef *b)
{
    return a->type == b->type && g_strcmp0(a->path, b->path) == 0 &&
           g_strcmp0(a->host, b->host) == 0 && g_strcmp0(a->service, b->service) == 0 &&
           a->mode == b->mode;
}

/* libvirt's console compatibility: console[0] of type serial is the first
 * serial port; a serial port without such a console gets one. */
static void
domain_chr_console_compat(DomainDef *def)
{
    DomainChrDef *con0 = def->consoles->len ? g_ptr_array_index(def->consoles, 0) : NULL;
    DomainChrDef *stub;

    if (con0 && con0->target_type && g_str_equal(con0->target_type, "serial")) {
        if (def->serials->len == 0) {
            DomainChrDef *serial = g_ptr_array_steal_index(def->consoles, 0);

            serial->device_type = DOMAIN_CHR_DEVICE_SERIAL;
            g_clear_pointer(&serial->target_type, g_free);
            serial->target_port = 0;
            g_ptr_array_add(def->serials, serial);
        } else if (domain_chr_source_equal(&con0->source,
                                           &((DomainChrDef *)g_ptr_array_index(def->serials,
                                                                               0))->source)) {
            return;
        } else {
            g_ptr_array_remove_index(def->consoles, 0);
        }
    } else if (def->serials->len == 0) {
        return;
    }
    stub = g_new0(DomainChrDef, 1);
    stub->device_type = DOMAIN_CHR_DEVICE_CONSOLE;
    stub->target_type = g_strdup("serial");
    stub->target_port = ((DomainChrDef *)g_ptr_array_index(def->serials, 0))->target_port;
    domain_chr_source_copy(&stub->source,
                           &((DomainChrDef *)g_ptr_array_index(def->serials, 0))->source);
    g_ptr_array_insert(def->consoles, 0, stub);
}

static void
domain_chr_post_parse(DomainDef *def, DomainParseCtx *ctx)
{
    GPtrArray *lists[] = { def->serials, def->consoles, def->channels };

    if (ctx->flags & DOMAIN_PARSE_INACTIVE) {
        for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
            for (guint i = 0; i < lists[l]->len; i++)
                domain_chr_inactive_rules(g_ptr_array_index(lists[l], i), ctx->opts);
        }
    }
    for (guint i = 0; i < def->consoles->len; i++) {
        DomainChrDef *con = g_ptr_array_index(def->consoles, i);

        if (!con->target_type)
            con->target_type = g_strdup("serial");
    }
    domain_chr_assign_ports(def->serials, TRUE);
    domain_chr_assign_ports(def->consoles, FALSE);
    domain_chr_console_compat(def);
}

/* ---- disks ------------------------------------------------------------------------ */

static void
domain_disk_assign_address(DomainDiskDef *disk)
{
    int idx = domain_disk_name_index(disk->dst);

    if (idx >= 0 && domain_disk_drive_address_for_index(disk->bus, idx, &disk->info.addr))
        disk->info.addr.type = DOMAIN_ADDR_DRIVE;
}

/* The well-known port of each protocol, for TCP hosts given without one. */
static void
domain_disk_default_ports(DomainDiskDef *disk)
{
    static const struct {
        const char *protocol;
        const char *port;
    } ports[] = {
        { "nbd", "10809" }, { "rbd", "6789" }, { "sheepdog", "7000" }, { "gluster", "24007" },
        { "iscsi", "3260" }, { "http", "80" }, { "https", "443" }, { "ftp", "21" },
        { "ftps", "990" }, { "tftp", "69" }, { "ssh", "22" }, { "vxhs", "9999" },
    };
    const char *port = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(ports); i++) {
        if (g_strcmp0(disk->protocol, ports[i].protocol) == 0)
            port = ports[i].port;
    }
    for (guint i = 0; port && i < disk->hosts->len; i++) {
        DomainDiskHost *h = g_ptr_array_index(disk->hosts, i);

        if (!h->port && h->name && (!h->transport || g_str_equal(h->transport, "tcp")))
            h->port = g_strdup(port);
    }
}

static void
domain_disk_post_parse(DomainDiskDef *disk)
{
    if (disk->device == DOMAIN_DISK_DEVICE_CDROM)
        disk->readonly = TRUE;
    if (disk->bus == DOMAIN_DISK_BUS_NONE) {
        disk->bus = DOMAIN_DISK_BUS_IDE;
        if (disk->device == DOMAIN_DISK_DEVICE_FLOPPY)
            disk->bus = DOMAIN_DISK_BUS_FDC;
        else if (g_str_has_prefix(disk->dst, "sd"))
            disk->bus = DOMAIN_DISK_BUS_SCSI;
        else if (g_str_has_prefix(disk->dst, "vd"))
            disk->bus = DOMAIN_DISK_BUS_VIRTIO;
        else if (g_str_has_prefix(disk->dst, "xvd"))
            disk->bus = DOMAIN_DISK_BUS_XEN;
        else if (g_str_has_prefix(disk->dst, "ubd"))
            disk->bus = DOMAIN_DISK_BUS_UML;
    }
    /* an iSCSI target without a LUN means LUN 0 */
    if (disk->type == DOMAIN_DISK_TYPE_NETWORK && g_strcmp0(disk->protocol, "iscsi") == 0 &&
        disk->src_name && !strchr(disk->src_name, '/')) {
        char *name = g_strdup_printf("%s/0", disk->src_name);

        g_free(disk->src_name);
        disk->src_name = name;
    }
    if (disk->type == DOMAIN_DISK_TYPE_NETWORK)
        domain_disk_default_ports(disk);
    if (disk->info.addr.type == DOMAIN_ADDR_NONE)
        domain_disk_assign_address(disk);
}

/* ---- controllers -------------------------------------------------------------------- */

static gboolean
domain_controller_is_usb2(const DomainControllerDef *c)
{
    return c->type == DOMAIN_CONTROLLER_USB && c->model &&
           (g_str_equal(c->model, "ich9-ehci1") || g_str_has_prefix(c->model, "ich9-uhci"));
}

static int
domain_controller_unused_index(const DomainDef *def, DomainControllerType type)
{
    int idx = 0;
    gboolean again = TRUE;

    while (again) {
        again = FALSE;
        for (guint i = 0; i < def->controllers->len; i++) {
            DomainControllerDef *c = g_ptr_array_index(def->controllers, i);

            if (c->type == type && c->index == idx) {
                idx++;
                again = TRUE;
            }
        }
    }
    return idx;
}

static void
domain_controller_assign_indexes(DomainDef *def, gboolean status)
{
    gboolean reinsert = FALSE;

    for (guint i = 0; i < def->controllers->len; i++) {
        DomainControllerDef *c = g_ptr_array_index(def->controllers, i);
        DomainControllerDef *prev = NULL;

        if (c->index != -1)
            continue;
        if (i > 0 && domain_controller_is_usb2(c)) {
            /* the USB2 companions are ordered once their index is known */
            reinsert = TRUE;
            for (int p = (int)i - 1; p >= 0 && !prev; p--) {
                DomainControllerDef *o = g_ptr_array_index(def->controllers, p);

                if (o->type == DOMAIN_CONTROLLER_USB)
                    prev = o;
            }
            if (prev && !domain_controller_is_usb2(prev))
                prev = NULL;
            for (guint j = 0; prev && j < def->controllers->len; j++) {
                DomainControllerDef *o = g_ptr_array_index(def->controllers, j);

                if (o->type == DOMAIN_CONTROLLER_USB && o->index == prev->index &&
                    g_strcmp0(o->model, c->model) == 0)
                    prev = NULL;
            }
        }
        c->index = prev ? prev->index : domain_controller_unused_index(def, c->type);
    }
    if (reinsert && !status) {
        GPtrArray *old = def->controllers;

        def->controllers =
            g_ptr_array_new_with_free_func((GDestroyNotify)domain_controller_def_free);
        for (guint i = 0; i < old->len; i++)
            domain_devices_insert_controller(def, g_ptr_array_index(old, i));
        g_ptr_array_set_free_func(old, NULL);
        g_ptr_array_unref(old);
    }
}

static void
domain_controller_maybe_add(DomainDef *def, DomainControllerType type, int index)
{
    DomainControllerDef *c;

    for (guint i = 0; i < def->controllers->len; i++) {
        c = g_ptr_array_index(def->controllers, i);
        if (c->type == type && c->index == index)
            return;
    }
    c = g_new0(DomainControllerDef, 1);
    c->type = type;
    c->index = index;
    c->ports = c->vectors = c->master_startport = -1;
    c->pci_chassis = c->pci_port = c->pci_bus_nr = -1;
    c->implicit = TRUE;
    domain_devices_insert_controller(def, c);
}

static void
domain_controller_add_implicit(DomainDef *def)
{
    static const struct {
        DomainControllerType ctrl;
        DomainDiskBus bus;
    } disk_ctrls[] = {
        { DOMAIN_CONTROLLER_SCSI, DOMAIN_DISK_BUS_SCSI },
        { DOMAIN_CONTROLLER_FDC, DOMAIN_DISK_BUS_FDC },
        { DOMAIN_CONTROLLER_IDE, DOMAIN_DISK_BUS_IDE },
        { DOMAIN_CONTROLLER_SATA, DOMAIN_DISK_BUS_SATA },
    };
    gboolean virtio_serial = FALSE;

    for (guint t = 0; t < G_N_ELEMENTS(disk_ctrls); t++) {
        int max = -1;

        for (guint i = 0; i < def->disks->len; i++) {
            DomainDiskDef *d = g_ptr_array_index(def->disks, i);

            if (d->bus == disk_ctrls[t].bus && d->info.addr.type == DOMAIN_ADDR_DRIVE)
                max = MAX(max, (int)d->info.addr.controller);
        }
        for (int idx = 0; idx <= max; idx++)
            domain_controller_maybe_add(def, disk_ctrls[t].ctrl, idx);
    }
    for (guint i = 0; i < def->channels->len; i++) {
        DomainChrDef *c = g_ptr_array_index(def->channels, i);

        if (g_strcmp0(c->target_type, "virtio") == 0)
            virtio_serial = TRUE;
    }
    for (guint i = 0; i < def->consoles->len; i++) {
        DomainChrDef *c = g_ptr_array_index(def->consoles, i);

        if (g_strcmp0(c->target_type, "virtio") == 0)
            virtio_serial = TRUE;
    }
    /* channels kept verbatim (spicevmc...) count too */
    if (domain_extra_child_contains(def->extra, "devices", "channel", "<target type='virtio'") ||
        domain_extra_child_contains(def->extra, "devices", "console", "<target type='virtio'"))
        virtio_serial = TRUE;
    if (virtio_serial)
        domain_controller_maybe_add(def, DOMAIN_CONTROLLER_VIRTIO_SERIAL, 0);
}

static gboolean
domain_controller_reject_duplicates(const DomainDef *def, GError **error)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        DomainControllerDef *a = g_ptr_array_index(def->controllers, i);

        if (a->type == DOMAIN_CONTROLLER_USB)
            continue;
        for (guint j = i + 1; j < def->controllers->len; j++) {
            DomainControllerDef *b = g_ptr_array_index(def->controllers, j);

            if (a->type == b->type && a->index == b->index) {
                mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                             "Multiple '%s' controllers with index '%d'",
                             domain_controller_to_string(a->type), a->index);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* ---- other devices ----------------------------------------------------------------------- */

static guint
domain_video_default_vram(const char *model)
{
    static const char *const sixteen[] = { "vga", "cirrus", "vmvga", "vbox", "bochs", NULL };

    if (g_strv_contains(sixteen, model))
        return 16 * 1024;
    if (g_str_equal(model, "qxl"))
        return 64 * 1024;
    if (g_str_equal(model, "xen"))
        return 4 * 1024;
    return 0;
}

static guint
domain_round_pow2(guint v)
{
    guint p = 1;

    if (v == 0)
        return 0;
    while (p < v && p < (1u << 31))
        p <<= 1;
    return p;
}

static void
domain_video_post_parse(DomainDef *def, gboolean has_raw_graphics)
{
    DomainVideoDef *first;

    if (def->videos->len == 0 && (def->graphics->len > 0 || has_raw_graphics)) {
        /* QEMU's default model on x86 */
        DomainVideoDef *video = g_new0(DomainVideoDef, 1);

        video->model = g_strdup("cirrus");
        g_ptr_array_add(def->videos, video);
    }
    for (guint i = 0; i < def->videos->len; i++) {
        DomainVideoDef *v = g_ptr_array_index(def->videos, i);

        if (g_str_equal(v->model, "none"))
            continue;
        if (v->ram == 0 && g_str_equal(v->model, "qxl"))
            v->ram = domain_video_default_vram(v->model);
        if (v->vram == 0)
            v->vram = domain_video_default_vram(v->model);
        v->ram = domain_round_pow2(v->ram);
        v->vram = domain_round_pow2(v->vram);
        if (v->heads == 0)
            v->heads = 1;
    }
    if (def->videos->len == 0)
        return;
    first = g_ptr_array_index(def->videos, 0);
    if (!g_str_equal(first->model, "none"))
        first->primary = DOMAIN_TRISTATE_YES;
}

static void
domain_input_post_parse(DomainDef *def)
{
    for (guint i = 0; i < def->inputs->len; i++) {
        DomainInputDef *in = g_ptr_array_index(def->inputs, i);

        if (in->bus != DOMAIN_INPUT_BUS_DEFAULT)
            continue;
        if ((in->type == DOMAIN_INPUT_MOUSE || in->type == DOMAIN_INPUT_KEYBOARD) &&
            (!def->os.arch || g_str_equal(def->os.arch, "x86_64") ||
             g_str_equal(def->os.arch, "i686")))
            in->bus = DOMAIN_INPUT_BUS_PS2;
        else
            in->bus = DOMAIN_INPUT_BUS_USB;
    }
}

/* ---- boot order, memory, timers ---------------------------------------------------------- */

static gboolean
domain_boot_order_post_parse(DomainDef *def, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    for (guint i = 0; i < def->disks->len + def->nets->len; i++) {
        DomainDeviceInfo *info;

        if (i < def->disks->len)
            info = &((DomainDiskDef *)g_ptr_array_index(def->disks, i))->info;
        else
            info = &((DomainNetDef *)g_ptr_array_index(def->nets, i - def->disks->len))->info;
        if (info->boot_order == 0)
            continue;
        if (g_hash_table_contains(seen, GUINT_TO_POINTER(info->boot_order))) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                         "boot order '%u' used for more than one device", info->boot_order);
            return FALSE;
        }
        g_hash_table_add(seen, GUINT_TO_POINTER(info->boot_order));
    }
    if (def->os.nboot_devs > 0 && g_hash_table_size(seen) > 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "per-device boot elements cannot be used together with os/boot elements");
        return FALSE;
    }
    if (def->os.nboot_devs == 0 && g_hash_table_size(seen) == 0) {
        def->os.nboot_devs = 1;
        def->os.boot_devs[0] = DOMAIN_BOOT_DISK;
    }
    return TRUE;
}

static gboolean
domain_timers_post_parse(const DomainDef *def, GError **error)
{
    for (guint i = 0; i < def->clock.timers->len; i++) {
        DomainTimerDef *t = g_ptr_array_index(def->clock.timers, i);

        if ((g_str_equal(t->name, "kvmclock") || g_str_equal(t->name, "hypervclock")) &&
            t->tickpolicy) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                         "timer %s doesn't support setting of timer tickpolicy", t->name);
            return FALSE;
        }
        if (!g_str_equal(t->name, "platform") && !g_str_equal(t->name, "rtc") && t->track) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                         "timer %s doesn't support setting of timer track", t->name);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
domain_memory_post_parse(DomainDef *def, GError **error)
{
    if (def->max_memory_kib == 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Memory size must be specified via <memory> or in the <numa> configuration");
        return FALSE;
    }
    if (def->cur_memory_kib == 0 || def->cur_memory_kib > def->max_memory_kib)
        def->cur_memory_kib = def->max_memory_kib;
    return TRUE;
}

gboolean
domain_def_post_parse(DomainDef *def, DomainParseCtx *ctx, GError **error)
{
    gboolean raw_graphics = domain_extra_count(def->extra, "devices", "graphics") > 0;

    domain_controller_assign_indexes(def, (ctx->flags & DOMAIN_PARSE_STATUS) != 0);
    domain_chr_post_parse(def, ctx);
    for (guint i = 0; i < def->disks->len; i++)
        domain_disk_post_parse(g_ptr_array_index(def->disks, i));
    domain_input_post_parse(def);
    for (guint i = 0; i < def->rngs->len; i++) {
        DomainRNGDef *rng = g_ptr_array_index(def->rngs, i);

        if (rng->backend == DOMAIN_RNG_BACKEND_RANDOM && !rng->random_path)
            rng->random_path = g_strdup("/dev/random");
    }
    if (!domain_memory_post_parse(def, error) ||
        !domain_controller_reject_duplicates(def, error) ||
        !domain_boot_order_post_parse(def, error) ||
        !domain_timers_post_parse(def, error))
        return FALSE;
    domain_controller_add_implicit(def);
    domain_video_post_parse(def, raw_graphics);
    if (def->cpu && def->cpu->mode == DOMAIN_CPU_MODE_CUSTOM && !def->cpu->model &&
        def->cpu->check != DOMAIN_CPU_CHECK_DEFAULT) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "check attribute specified for CPU with no model");
        return FALSE;
    }
    return TRUE;
}
