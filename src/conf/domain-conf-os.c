/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain-conf-os.c: <os>, <features>, <cpu>, <clock> and the life cycle
 * actions (<on_poweroff>, <on_reboot>, <on_crash>) and <pm>.
 */
#include <string.h>

#include "conf/domain-conf-priv.h"
#include "util/error.h"

MV_ENUM_IMPL(domain_boot, DOMAIN_BOOT_LAST, "fd", "hd", "cdrom", "network")
MV_ENUM_IMPL(domain_cpu_mode, DOMAIN_CPU_MODE_LAST,
             "custom", "host-model", "host-passthrough", "maximum")
MV_ENUM_IMPL(domain_cpu_match, DOMAIN_CPU_MATCH_LAST, "default", "minimum", "exact", "strict")
MV_ENUM_IMPL(domain_cpu_check, DOMAIN_CPU_CHECK_LAST, "default", "none", "partial", "full")
MV_ENUM_IMPL(domain_cpu_feature_policy, DOMAIN_CPU_FEATURE_LAST,
             "force", "require", "optional", "disable", "forbid")
MV_ENUM_IMPL(domain_clock_offset, DOMAIN_CLOCK_LAST, "utc", "localtime", "variable", "timezone")
MV_ENUM_IMPL(domain_lifecycle, DOMAIN_LIFECYCLE_LAST,
             "destroy", "restart", "rename-restart", "preserve", "coredump-destroy",
             "coredump-restart")

static const char *const domain_os_order[] = {
    "type", "firmware", "init", "initarg", "initenv", "initdir", "inituser", "initgroup",
    "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "root", "acpi", "boot",
    "bootmenu", "smbios", "bios", NULL
};

static const char *const domain_features_order[] = {
    "acpi", "apic", "pae", "hap", "viridian", "privnet", "hyperv", "kvm", "pvspinlock",
    "capabilities", "pmu", "vmport", "gic", "smm", "ioapic", "hpt", "vmcoreinfo", "htm",
    "nested-hv", "msrs", "ccf-assist", "xen", "cfpc", "sbbc", "ibs", "tcg", "async-teardown",
    NULL
};

static const char *const domain_cpu_order[] = {
    "model", "vendor", "topology", "cache", "maxphysaddr", "feature", "numa", NULL
};

/* ---- <os> -------------------------------------------------------------------------- */

void
domain_os_clear(DomainOSDef *os)
{
    g_free(os->type);
    g_free(os->arch);
    g_free(os->machine);
    g_free(os->kernel);
    g_free(os->initrd);
    g_free(os->cmdline);
    g_free(os->dtb);
}

static gboolean
domain_os_parse_boot(DomainParseCtx *ctx, xmlNode *os, DomainDef *def, GError **error)
{
    g_autoptr(GPtrArray) boots = dctx_children(ctx, os, "boot");
    xmlNode *menu;

    for (guint i = 0; i < boots->len; i++) {
        g_autofree char *dev = dctx_prop_req(ctx, g_ptr_array_index(boots, i), "dev", error);
        int val;

        if (!dev)
            return FALSE;
        if ((val = domain_boot_from_string(dev)) < 0) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "unknown boot device '%s'", dev);
            return FALSE;
        }
        if (def->os.nboot_devs < DOMAIN_BOOT_LAST)
            def->os.boot_devs[def->os.nboot_devs++] = val;
    }
    if ((menu = dctx_child(ctx, os, "bootmenu"))) {
        if (!dctx_prop_tristate(ctx, menu, "enable", FALSE, &def->os.bootmenu, error) ||
            !dctx_prop_int(ctx, menu, "timeout", &def->os.bootmenu_timeout, error))
            return FALSE;
        if (def->os.bootmenu_timeout < -1 || def->os.bootmenu_timeout > 65535) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "invalid value for boot menu timeout, must be in range [0,65535]");
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
domain_os_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    xmlNode *os = dctx_child(ctx, root, "os");
    xmlNode *type = os ? dctx_child(ctx, os, "type") : NULL;

    if (!type) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR, "an os <type> must be specified");
        return FALSE;
    }
    def->os.type = g_strstrip(dctx_text(ctx, type));
    if (!g_str_equal(def->os.type, "hvm")) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                     "unsupported os type '%s'", def->os.type);
        return FALSE;
    }
    def->os.arch = dctx_prop(ctx, type, "arch");
    def->os.machine = dctx_prop(ctx, type, "machine");
    def->os.kernel = dctx_child_text(ctx, os, "kernel");
    def->os.initrd = dctx_child_text(ctx, os, "initrd");
    def->os.cmdline = dctx_child_text(ctx, os, "cmdline");
    def->os.dtb = dctx_child_text(ctx, os, "dtb");
    return domain_os_parse_boot(ctx, os, def, error);
}

void
domain_os_format(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    const DomainExtra *x = def->extra;
    g_autoptr(GString) a = g_string_new(NULL);
    guint cursor = 0;

    xml_buf_add(b, "<os");
    xml_buf_add_raw(b, domain_extra_attrs(x, "os"));
    xml_buf_add_raw(b, ">\n");
    xml_buf_indent(b, 2);
    fmt_attr(a, "arch", def->os.arch);
    fmt_attr(a, "machine", def->os.machine);
    domain_extra_format_before(b, x, "os", domain_os_order, &cursor, "type");
    xml_buf_add(b, "<type");
    xml_buf_add_raw(b, a->str);
    xml_buf_add_raw(b, domain_extra_attrs(x, "os/type"));
    xml_buf_add(b, ">%s</type>\n", def->os.type);
    domain_extra_format_before(b, x, "os", domain_os_order, &cursor, "kernel");
    fmt_text_element(b, "kernel", def->os.kernel, x, "os/kernel");
    fmt_text_element(b, "initrd", def->os.initrd, x, "os/initrd");
    fmt_text_element(b, "cmdline", def->os.cmdline, x, "os/cmdline");
    fmt_text_element(b, "dtb", def->os.dtb, x, "os/dtb");
    domain_extra_format_before(b, x, "os", domain_os_order, &cursor, "boot");
    for (guint i = 0; i < def->os.nboot_devs; i++) {
        g_autoptr(GString) ba = g_string_new(NULL);
        g_autofree char *path = domain_extra_path("os", "boot", i);

        fmt_attr(ba, "dev", domain_boot_to_string(def->os.boot_devs[i]));
        fmt_element(b, "boot", ba->str, NULL, x, path, TRUE);
    }
    domain_extra_format_before(b, x, "os", domain_os_order, &cursor, "bootmenu");
    if (def->os.bootmenu != DOMAIN_TRISTATE_ABSENT || domain_extra_has(x, "os/bootmenu")) {
        g_autoptr(GString) ma = g_string_new(NULL);

        if (def->os.bootmenu != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(ma, "enable", domain_tristate_to_string(def->os.bootmenu));
        if (def->os.bootmenu_timeout >= 0)
            fmt_attr_printf(ma, "timeout", "%d", def->os.bootmenu_timeout);
        fmt_element(b, "bootmenu", ma->str, NULL, x, "os/bootmenu", TRUE);
    }
    domain_extra_format_before(b, x, "os", domain_os_order, &cursor, NULL);
    xml_buf_indent(b, -2);
    xml_buf_add(b, "</os>\n");
}

/* ---- <features> ---------------------------------------------------------------------- */

gboolean
domain_features_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    xmlNode *features = dctx_child(ctx, root, "features");
    xmlNode *n;

    if (!features)
        return TRUE;
    if (dctx_child(ctx, features, "acpi"))
        def->features.acpi = DOMAIN_TRISTATE_YES;
    if (dctx_child(ctx, features, "pae"))
        def->features.pae = DOMAIN_TRISTATE_YES;
    if ((n = dctx_child(ctx, features, "apic"))) {
        def->features.apic = DOMAIN_TRISTATE_YES;
        if (!dctx_prop_tristate(ctx, n, "eoi", TRUE, &def->features.apic_eoi, error))
            return FALSE;
    }
    if ((n = dctx_child(ctx, features, "vmport"))) {
        g_autofree char *state = dctx_prop_req(ctx, n, "state", error);
        int v;

        if (!state)
            return FALSE;
        if ((v = domain_tristate_switch_from_string(state)) <= 0) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_CONFIG_UNSUPPORTED,
                         "unknown vmport state '%s'", state);
            return FALSE;
        }
        def->features.vmport = v;
    }
    return TRUE;
}

static void
domain_feature_format(XmlBuf *b, const DomainExtra *x, guint *cursor, const char *name,
                      const char *attrs)
{
    g_autofree char *path = g_strdup_printf("features/%s", name);

    domain_extra_format_before(b, x, "features", domain_features_order, cursor, name);
    fmt_element(b, name, attrs, NULL, x, path, TRUE);
}

void
domain_features_format(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    const DomainFeatures *f = &def->features;
    const DomainExtra *x = def->extra;
    XmlBuf child;
    g_autofree char *text = NULL;
    guint cursor = 0;

    xml_buf_init(&child);
    if (f->acpi == DOMAIN_TRISTATE_YES)
        domain_feature_format(&child, x, &cursor, "acpi", "");
    if (f->apic == DOMAIN_TRISTATE_YES) {
        g_autoptr(GString) a = g_string_new(NULL);

        if (f->apic_eoi != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(a, "eoi", domain_tristate_switch_to_string(f->apic_eoi));
        domain_feature_format(&child, x, &cursor, "apic", a->str);
    }
    if (f->pae == DOMAIN_TRISTATE_YES)
        domain_feature_format(&child, x, &cursor, "pae", "");
    if (f->vmport != DOMAIN_TRISTATE_ABSENT) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "state", domain_tristate_switch_to_string(f->vmport));
        domain_feature_format(&child, x, &cursor, "vmport", a->str);
    }
    domain_extra_format_before(&child, x, "features", domain_features_order, &cursor, NULL);
    text = xml_buf_finish(&child);
    if (*text || domain_extra_has(x, "features"))
        fmt_element(b, "features", domain_extra_attrs(x, "features"), text, NULL, NULL, TRUE);
}

/* ---- <cpu> --------------------------------------------------------------------------- */

static void
domain_cpu_feature_free(gpointer p)
{
    DomainCPUFeature *f = p;

    g_free(f->name);
    g_free(f);
}

void
domain_cpu_def_free(DomainCPUDef *cpu)
{
    if (!cpu)
        return;
    g_free(cpu->model);
    g_free(cpu->model_fallback);
    g_free(cpu->vendor_id);
    g_free(cpu->vendor);
    g_ptr_array_unref(cpu->features);
    g_free(cpu);
}

static gboolean
domain_cpu_parse_model(DomainParseCtx *ctx, xmlNode *node, DomainCPUDef *cpu, GError **error)
{
    xmlNode *model = dctx_child(ctx, node, "model");
    xmlNode *topo;

    if (model) {
        g_autofree char *name = g_strstrip(dctx_text(ctx, model));

        if (*name)
            cpu->model = g_steal_pointer(&name);
        if (!dctx_prop_choice(ctx, model, "fallback",
                              (const char *const[]){ "allow", "forbid", NULL },
                              &cpu->model_fallback, "cpu model fallback", error))
            return FALSE;
        cpu->vendor_id = dctx_prop(ctx, model, "vendor_id");
    }
    cpu->vendor = dctx_child_text(ctx, node, "vendor");
    if ((topo = dctx_child(ctx, node, "topology"))) {
        if (!dctx_prop_uint(ctx, topo, "sockets", &cpu->sockets, error) ||
            !dctx_prop_uint(ctx, topo, "dies", &cpu->dies, error) ||
            !dctx_prop_uint(ctx, topo, "cores", &cpu->cores, error) ||
            !dctx_prop_uint(ctx, topo, "threads", &cpu->threads, error))
            return FALSE;
        if (cpu->dies == 0)
            cpu->dies = 1;
        if (cpu->sockets == 0 || cpu->cores == 0 || cpu->threads == 0) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "Missing or invalid CPU topology: sockets, cores and threads must be positive");
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
domain_cpu_parse_features(DomainParseCtx *ctx, xmlNode *node, DomainCPUDef *cpu,
                          GError **error)
{
    g_autoptr(GPtrArray) list = dctx_children(ctx, node, "feature");

    for (guint i = 0; i < list->len; i++) {
        xmlNode *n = g_ptr_array_index(list, i);
        DomainCPUFeature *f = g_new0(DomainCPUFeature, 1);
        int policy = DOMAIN_CPU_FEATURE_REQUIRE;

        g_ptr_array_add(cpu->features, f);
        if (!(f->name = dctx_prop_req(ctx, n, "name", error)))
            return FALSE;
        if (!dctx_prop_enum(ctx, n, "policy", domain_cpu_feature_policy_from_string, &policy,
                            "CPU feature policy", error))
            return FALSE;
        f->policy = policy;
    }
    return TRUE;
}

gboolean
domain_cpu_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    xmlNode *node = dctx_child(ctx, root, "cpu");
    g_autoptr(DomainCPUDef) cpu = NULL;
    int mode = DOMAIN_CPU_MODE_CUSTOM, match = DOMAIN_CPU_MATCH_DEFAULT;
    int check = DOMAIN_CPU_CHECK_DEFAULT;

    if (!node)
        return TRUE;
    cpu = g_new0(DomainCPUDef, 1);
    cpu->features = g_ptr_array_new_with_free_func(domain_cpu_feature_free);
    if (!dctx_prop_enum(ctx, node, "mode", domain_cpu_mode_from_string, &mode, "CPU mode",
                        error) ||
        !dctx_prop_enum(ctx, node, "match", domain_cpu_match_from_string, &match,
                        "CPU match", error) ||
        !dctx_prop_enum(ctx, node, "check", domain_cpu_check_from_string, &check,
                        "CPU check", error) ||
        !dctx_prop_tristate(ctx, node, "migratable", TRUE, &cpu->migratable, error))
        return FALSE;
    if (match == DOMAIN_CPU_MATCH_DEFAULT && mode == DOMAIN_CPU_MODE_CUSTOM)
        match = DOMAIN_CPU_MATCH_EXACT;
    cpu->mode = mode;
    cpu->match = match;
    cpu->check = check;
    if (!domain_cpu_parse_model(ctx, node, cpu, error) ||
        !domain_cpu_parse_features(ctx, node, cpu, error))
        return FALSE;
    if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && cpu->model && !cpu->model_fallback)
        cpu->model_fallback = g_strdup("allow");
    if (cpu->mode == DOMAIN_CPU_MODE_CUSTOM && !cpu->model && cpu->features->len > 0) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Non-empty feature list specified without CPU model");
        return FALSE;
    }
    def->cpu = g_steal_pointer(&cpu);
    return TRUE;
}

static void
domain_cpu_format_children(XmlBuf *b, const DomainCPUDef *cpu, const DomainExtra *x)
{
    guint cursor = 0;

    if (cpu->model || cpu->vendor_id ||
        (cpu->model_fallback && cpu->mode == DOMAIN_CPU_MODE_CUSTOM)) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr(a, "fallback", cpu->model_fallback);
        fmt_attr(a, "vendor_id", cpu->vendor_id);
        domain_extra_format_before(b, x, "cpu", domain_cpu_order, &cursor, "model");
        if (cpu->model) {
            xml_buf_add(b, "<model");
            xml_buf_add_raw(b, a->str);
            xml_buf_add_raw(b, domain_extra_attrs(x, "cpu/model"));
            xml_buf_add(b, ">%s</model>\n", cpu->model);
        } else {
            fmt_element(b, "model", a->str, NULL, x, "cpu/model", TRUE);
        }
    }
    domain_extra_format_before(b, x, "cpu", domain_cpu_order, &cursor, "vendor");
    fmt_text_element(b, "vendor", cpu->vendor, x, "cpu/vendor");
    domain_extra_format_before(b, x, "cpu", domain_cpu_order, &cursor, "topology");
    if (cpu->sockets > 0) {
        g_autoptr(GString) a = g_string_new(NULL);

        fmt_attr_printf(a, "sockets", "%u", cpu->sockets);
        fmt_attr_printf(a, "dies", "%u", cpu->dies);
        fmt_attr_printf(a, "cores", "%u", cpu->cores);
        fmt_attr_printf(a, "threads", "%u", cpu->threads);
        fmt_element(b, "topology", a->str, NULL, x, "cpu/topology", TRUE);
    }
    domain_extra_format_before(b, x, "cpu", domain_cpu_order, &cursor, "feature");
    for (guint i = 0; i < cpu->features->len; i++) {
        DomainCPUFeature *f = g_ptr_array_index(cpu->features, i);
        g_autoptr(GString) a = g_string_new(NULL);
        g_autofree char *path = domain_extra_path("cpu", "feature", i);

        fmt_attr(a, "policy", domain_cpu_feature_policy_to_string(f->policy));
        fmt_attr(a, "name", f->name);
        fmt_element(b, "feature", a->str, NULL, x, path, TRUE);
    }
    domain_extra_format_before(b, x, "cpu", domain_cpu_order, &cursor, NULL);
}

void
domain_cpu_format(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    const DomainCPUDef *cpu = def->cpu;
    g_autoptr(GString) a = g_string_new(NULL);
    g_autofree char *text = NULL;
    XmlBuf child;

    if (!cpu)
        return;
    fmt_attr(a, "mode", domain_cpu_mode_to_string(cpu->mode));
    if (cpu->match != DOMAIN_CPU_MATCH_DEFAULT)
        fmt_attr(a, "match", domain_cpu_match_to_string(cpu->match));
    if (cpu->check != DOMAIN_CPU_CHECK_DEFAULT)
        fmt_attr(a, "check", domain_cpu_check_to_string(cpu->check));
    if (cpu->migratable != DOMAIN_TRISTATE_ABSENT)
        fmt_attr(a, "migratable", domain_tristate_switch_to_string(cpu->migratable));
    g_string_append(a, domain_extra_attrs(def->extra, "cpu"));
    xml_buf_init(&child);
    domain_cpu_format_children(&child, cpu, def->extra);
    text = xml_buf_finish(&child);
    /* the unknown children were written in order by the above */
    fmt_element(b, "cpu", a->str, text, NULL, NULL, TRUE);
}

/* ---- <clock> -------------------------------------------------------------------------- */

void
domain_timer_def_free(gpointer p)
{
    DomainTimerDef *t = p;

    g_free(t->name);
    g_free(t->tickpolicy);
    g_free(t->track);
    g_free(t);
}

void
domain_clock_clear(DomainClockDef *clock)
{
    g_free(clock->timezone);
    g_free(clock->basis);
    if (clock->timers)
        g_ptr_array_unref(clock->timers);
}

static gboolean
domain_clock_parse_timers(DomainParseCtx *ctx, xmlNode *clock, DomainDef *def, GError **error)
{
    static const char *const names[] = {
        "platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer", NULL
    };
    g_autoptr(GPtrArray) list = dctx_children(ctx, clock, "timer");

    for (guint i = 0; i < list->len; i++) {
        xmlNode *n = g_ptr_array_index(list, i);
        DomainTimerDef *t = g_new0(DomainTimerDef, 1);

        g_ptr_array_add(def->clock.timers, t);
        if (!dctx_prop_choice(ctx, n, "name", names, &t->name, "timer name", error))
            return FALSE;
        if (!t->name) {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                         "missing timer name");
            return FALSE;
        }
        if (!dctx_prop_tristate(ctx, n, "present", FALSE, &t->present, error) ||
            !dctx_prop_choice(ctx, n, "tickpolicy",
                              (const char *const[]){ "delay", "catchup", "merge", "discard",
                                                     NULL },
                              &t->tickpolicy, "timer tickpolicy", error) ||
            !dctx_prop_choice(ctx, n, "track",
                              (const char *const[]){ "boot", "guest", "wall", "realtime",
                                                     NULL },
                              &t->track, "timer track", error))
            return FALSE;
    }
    return TRUE;
}

gboolean
domain_clock_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    xmlNode *clock = dctx_child(ctx, root, "clock");
    g_autofree char *adj = NULL;
    int offset = DOMAIN_CLOCK_UTC;

    if (!clock)
        return TRUE;
    if (!dctx_prop_enum(ctx, clock, "offset", domain_clock_offset_from_string, &offset,
                        "clock offset", error))
        return FALSE;
    def->clock.offset = offset;
    if ((adj = dctx_prop(ctx, clock, "adjustment"))) {
        char *end = NULL;

        if (g_str_equal(adj, "reset") && offset != DOMAIN_CLOCK_VARIABLE) {
            def->clock.adjustment_reset = TRUE;
        } else {
            def->clock.adjustment = g_ascii_strtoll(adj, &end, 10);
            if (!*adj || *end || offset == DOMAIN_CLOCK_TIMEZONE) {
                mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_INTERNAL_ERROR,
                             "invalid clock adjustment '%s'", adj);
                return FALSE;
            }
            def->clock.has_adjustment = TRUE;
        }
    }
    if (offset == DOMAIN_CLOCK_VARIABLE &&
        !dctx_prop_choice(ctx, clock, "basis", (const char *const[]){ "utc", "localtime", NULL },
                          &def->clock.basis, "clock basis", error))
        return FALSE;
    if (offset == DOMAIN_CLOCK_TIMEZONE &&
        !(def->clock.timezone = dctx_prop_req(ctx, clock, "timezone", error)))
        return FALSE;
    return domain_clock_parse_timers(ctx, clock, def, error);
}

void
domain_clock_format(XmlBuf *b, const DomainDef *def, unsigned flags)
{
    const DomainClockDef *c = &def->clock;
    g_autoptr(GString) a = g_string_new(NULL);
    XmlBuf child;
    g_autofree char *text = NULL;

    fmt_attr(a, "offset", domain_clock_offset_to_string(c->offset));
    if (c->has_adjustment)
        fmt_attr_printf(a, "adjustment", "%" G_GINT64_FORMAT, c->adjustment);
    else if (c->adjustment_reset)
        fmt_attr(a, "adjustment", "reset");
    if (c->offset == DOMAIN_CLOCK_VARIABLE)
        fmt_attr(a, "basis", c->basis ? c->basis : "utc");
    fmt_attr(a, "timezone", c->timezone);
    xml_buf_init(&child);
    for (guint i = 0; i < c->timers->len; i++) {
        DomainTimerDef *t = g_ptr_array_index(c->timers, i);
        g_autoptr(GString) ta = g_string_new(NULL);
        g_autofree char *path = domain_extra_path("clock", "timer", i);

        fmt_attr(ta, "name", t->name);
        if (t->present != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(ta, "present", domain_tristate_to_string(t->present));
        fmt_attr(ta, "tickpolicy", t->tickpolicy);
        fmt_attr(ta, "track", t->track);
        fmt_element(&child, "timer", ta->str, NULL, def->extra, path, TRUE);
    }
    text = xml_buf_finish(&child);
    fmt_element(b, "clock", a->str, text, def->extra, "clock", TRUE);
}

/* ---- life cycle --------------------------------------------------------------------------- */

static gboolean
domain_lifecycle_parse_one(DomainParseCtx *ctx, xmlNode *root, const char *name,
                           gboolean crash, DomainLifecycleAction *ret, GError **error)
{
    g_autofree char *text = dctx_child_text(ctx, root, name);
    int v;

    if (!text)
        return TRUE;
    g_strstrip(text);
    v = domain_lifecycle_from_string(text);
    if (v < 0 || (!crash && (v == DOMAIN_LIFECYCLE_COREDUMP_DESTROY ||
                             v == DOMAIN_LIFECYCLE_COREDUMP_RESTART))) {
        mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                     "Invalid value '%s' for element '%s'", text, name);
        return FALSE;
    }
    *ret = v;
    return TRUE;
}

gboolean
domain_lifecycle_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    return domain_lifecycle_parse_one(ctx, root, "on_poweroff", FALSE, &def->on_poweroff,
                                      error) &&
           domain_lifecycle_parse_one(ctx, root, "on_reboot", FALSE, &def->on_reboot, error) &&
           domain_lifecycle_parse_one(ctx, root, "on_crash", TRUE, &def->on_crash, error);
}

void
domain_lifecycle_format(XmlBuf *b, const DomainDef *def, const char *const *order,
                        guint *cursor)
{
    const char *names[] = { "on_poweroff", "on_reboot", "on_crash" };
    DomainLifecycleAction acts[] = { def->on_poweroff, def->on_reboot, def->on_crash };

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        domain_extra_format_before(b, def->extra, "", order, cursor, names[i]);
        fmt_text_element(b, names[i], domain_lifecycle_to_string(acts[i]), def->extra,
                         names[i]);
    }
}

/* ---- <pm> ---------------------------------------------------------------------------------- */

static const char *const domain_pm_states[] = { "suspend-to-mem", "suspend-to-disk" };

gboolean
domain_pm_parse(DomainParseCtx *ctx, xmlNode *root, DomainDef *def, GError **error)
{
    DomainTristate *states[] = { &def->pm.suspend_to_mem, &def->pm.suspend_to_disk };
    xmlNode *pm = dctx_child(ctx, root, "pm");

    if (!pm)
        return TRUE;
    for (guint i = 0; i < G_N_ELEMENTS(domain_pm_states); i++) {
        xmlNode *n = dctx_child(ctx, pm, domain_pm_states[i]);
        g_autofree char *enabled = n ? dctx_prop(ctx, n, "enabled") : NULL;

        if (!enabled)
            continue;
        if (g_str_equal(enabled, "yes")) {
            *states[i] = DOMAIN_TRISTATE_YES;
        } else if (g_str_equal(enabled, "no")) {
            *states[i] = DOMAIN_TRISTATE_NO;
        } else {
            mv_error_set(error, MV_FROM_DOMAIN, MV_ERR_XML_ERROR,
                         "Invalid value for attribute 'enabled' in element '%s': '%s'.",
                         domain_pm_states[i], enabled);
            return FALSE;
        }
    }
    return TRUE;
}

void
domain_pm_format(XmlBuf *b, const DomainDef *def)
{
    const DomainTristate states[] = { def->pm.suspend_to_mem, def->pm.suspend_to_disk };
    g_autofree char *text = NULL;
    XmlBuf child;

    xml_buf_init(&child);
    for (guint i = 0; i < G_N_ELEMENTS(domain_pm_states); i++) {
        g_autofree char *path = g_strdup_printf("pm/%s", domain_pm_states[i]);
        g_autoptr(GString) a = g_string_new(NULL);

        if (states[i] != DOMAIN_TRISTATE_ABSENT)
            fmt_attr(a, "enabled", domain_tristate_to_string(states[i]));
        fmt_element(&child, domain_pm_states[i], a->str, NULL, def->extra, path, FALSE);
    }
    text = xml_buf_finish(&child);
    /* an empty <pm/> is not written, as libvirt does */
    fmt_element(b, "pm", "", *text ? text : NULL, def->extra, "pm", FALSE);
}
