/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-caps-json.c: QemuCaps to and from the JSON of the cache files.
 *
 *   { "format": 1, "identity": "...", "host": "...",
 *     "binary": "/usr/bin/qemu-system-x86_64", "arch": "x86_64",
 *     "version": 7002022, "package": "...", "kvm": true, "host-cpu-vendor": "AMD",
 *     "kvm-max-vcpus": 1024,
 *     "machines": [ { "name", "alias", "default", "cpu-max", "deprecated" } ],
 *     "accel": { "kvm": { "available": true,
 *                         "cpu-models": [ { "name", "alias-of", "deprecated",
 *                                           "blockers": [...] } ],
 *                         "cpu-config": { "host-passthrough": "...", ... } },
 *                "tcg": { ... } },
 *     "devices": [ "virtio-blk-pci", ... ], "commands": [ "query-status", ... ] }
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-c/json.h>

#include "drivers/qemu/qemu-caps-priv.h"
#include "drivers/qemu/qemu-monitor.h"
#include "util/error.h"
#include "util/file.h"
#include "util/macros.h"

static void
qemu_caps_json_add_str(json_object *obj, const char *key, const char *value)
{
    if (value)
        json_object_object_add(obj, key, json_object_new_string(value));
}

static int
qemu_caps_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted array of the keys of @set. */
static json_object *
qemu_caps_set_to_json(GHashTable *set)
{
    guint n = 0;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(set, &n);
    json_object *arr = json_object_new_array();

    qsort(keys, n, sizeof(gpointer), qemu_caps_strcmp);
    for (guint i = 0; i < n; i++)
        json_object_array_add(arr, json_object_new_string(keys[i]));
    return arr;
}

static json_object *
qemu_caps_machine_to_json(const QemuMachine *m)
{
    json_object *obj = json_object_new_object();

    json_object_object_add(obj, "name", json_object_new_string(m->name));
    qemu_caps_json_add_str(obj, "alias", m->alias);
    json_object_object_add(obj, "default", json_object_new_boolean(m->is_default));
    json_object_object_add(obj, "cpu-max", json_object_new_int64(m->max_cpus));
    json_object_object_add(obj, "deprecated", json_object_new_boolean(m->deprecated));
    return obj;
}

static json_object *
qemu_caps_cpu_model_to_json(const QemuCpuModel *m)
{
    json_object *obj = json_object_new_object();
    json_object *blockers = json_object_new_array();

    json_object_object_add(obj, "name", json_object_new_string(m->name));
    qemu_caps_json_add_str(obj, "alias-of", m->alias_of);
    json_object_object_add(obj, "deprecated", json_object_new_boolean(m->deprecated));
    for (size_t i = 0; m->blockers && m->blockers[i]; i++)
        json_object_array_add(blockers, json_object_new_string(m->blockers[i]));
    json_object_object_add(obj, "blockers", blockers);
    return obj;
}

static json_object *
qemu_caps_accel_to_json(const QemuCapsAccelInfo *info)
{
    json_object *obj = json_object_new_object();
    json_object *models = json_object_new_array();
    json_object *config = json_object_new_object();

    json_object_object_add(obj, "available", json_object_new_boolean(info->available));
    for (guint i = 0; i < info->cpu_models->len; i++)
        json_object_array_add(models,
                              qemu_caps_cpu_model_to_json(g_ptr_array_index(info->cpu_models, i)));
    json_object_object_add(obj, "cpu-models", models);
    for (int mode = 0; mode < QEMU_CAPS_CPU_LAST; mode++)
        qemu_caps_json_add_str(config, qemu_caps_cpu_mode_to_string(mode),
                               info->cpu_config[mode]);
    json_object_object_add(obj, "cpu-config", config);
    return obj;
}

json_object *
qemu_caps_to_json(const QemuCaps *caps)
{
    json_object *obj = json_object_new_object();
    json_object *machines = json_object_new_array();
    json_object *accel = json_object_new_object();

    json_object_object_add(obj, "format", json_object_new_int(QEMU_CAPS_CACHE_FORMAT));
    qemu_caps_json_add_str(obj, "identity", caps->identity);
    qemu_caps_json_add_str(obj, "host", caps->host);
    json_object_object_add(obj, "binary", json_object_new_string(caps->binary));
    json_object_object_add(obj, "arch", json_object_new_string(caps->arch));
    json_object_object_add(obj, "version", json_object_new_int64(caps->version));
    qemu_caps_json_add_str(obj, "package", caps->package);
    json_object_object_add(obj, "kvm", json_object_new_boolean(caps->kvm));
    qemu_caps_json_add_str(obj, "host-cpu-vendor", caps->host_cpu_vendor);
    json_object_object_add(obj, "kvm-max-vcpus", json_object_new_int64(caps->kvm_max_vcpus));
    for (guint i = 0; i < caps->machines->len; i++)
        json_object_array_add(machines,
                              qemu_caps_machine_to_json(g_ptr_array_index(caps->machines, i)));
    json_object_object_add(obj, "machines", machines);
    for (int i = 0; i < QEMU_CAPS_ACCEL_LAST; i++)
        json_object_object_add(accel, qemu_caps_accel_to_string(i),
                               qemu_caps_accel_to_json(&caps->accel[i]));
    json_object_object_add(obj, "accel", accel);
    json_object_object_add(obj, "devices", qemu_caps_set_to_json(caps->devices));
    json_object_object_add(obj, "commands", qemu_caps_set_to_json(caps->commands));
    return obj;
}

/* Parsing ------------------------------------------------------------------ */

static const char *
qemu_caps_get_str(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static gboolean
qemu_caps_get_bool(json_object *obj, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(obj, key, &v) && json_object_get_boolean(v);
}

static gint64
qemu_caps_get_int(json_object *obj, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(obj, key, &v) ? json_object_get_int64(v) : 0;
}

static json_object *
qemu_caps_get_array(json_object *obj, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_array))
        return NULL;
    return v;
}

static gboolean
qemu_caps_bad(GError **error, const char *what)
{
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                 "malformed QEMU capabilities: bad or missing '%s'", what);
    return FALSE;
}

static gboolean
qemu_caps_machines_from_json(QemuCaps *caps, json_object *arr, GError **error)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        QemuMachine *m;

        if (!qemu_caps_get_str(e, "name"))
            return qemu_caps_bad(error, "machines");
        m = g_new0(QemuMachine, 1);
        m->name = g_strdup(qemu_caps_get_str(e, "name"));
        m->alias = g_strdup(qemu_caps_get_str(e, "alias"));
        m->is_default = qemu_caps_get_bool(e, "default");
        m->max_cpus = qemu_caps_get_int(e, "cpu-max");
        m->deprecated = qemu_caps_get_bool(e, "deprecated");
        g_ptr_array_add(caps->machines, m);
    }
    return TRUE;
}

static gboolean
qemu_caps_accel_from_json(QemuCapsAccelInfo *info, json_object *obj, GError **error)
{
    json_object *models = qemu_caps_get_array(obj, "cpu-models");
    json_object *config = NULL;

    if (!models)
        return qemu_caps_bad(error, "cpu-models");
    info->available = qemu_caps_get_bool(obj, "available");
    for (size_t i = 0; i < json_object_array_length(models); i++) {
        json_object *e = json_object_array_get_idx(models, i);
        json_object *blockers = qemu_caps_get_array(e, "blockers");
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
        QemuCpuModel *m;

        if (!qemu_caps_get_str(e, "name"))
            return qemu_caps_bad(error, "cpu-models");
        for (size_t j = 0; blockers && j < json_object_array_length(blockers); j++)
            g_ptr_array_add(list, g_strdup(json_object_get_string(
                                json_object_array_get_idx(blockers, j))));
        m = g_new0(QemuCpuModel, 1);
        m->name = g_strdup(qemu_caps_get_str(e, "name"));
        m->alias_of = g_strdup(qemu_caps_get_str(e, "alias-of"));
        m->deprecated = qemu_caps_get_bool(e, "deprecated");
        m->usable = list->len == 0;
        g_ptr_array_add(list, NULL);
        m->blockers = (GStrv)g_ptr_array_free(g_steal_pointer(&list), FALSE);
        g_ptr_array_add(info->cpu_models, m);
    }
    if (json_object_object_get_ex(obj, "cpu-config", &config)) {
        for (int mode = 0; mode < QEMU_CAPS_CPU_LAST; mode++)
            info->cpu_config[mode] = g_strdup(qemu_caps_get_str(
                                                  config, qemu_caps_cpu_mode_to_string(mode)));
    }
    return TRUE;
}

static void
qemu_caps_set_from_json(GHashTable *set, json_object *arr)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(arr, i));

        if (s)
            g_hash_table_add(set, g_strdup(s));
    }
}

QemuCaps *
qemu_caps_from_json(json_object *obj, GError **error)
{
    const char *binary = qemu_caps_get_str(obj, "binary");
    g_autoptr(QemuCaps) caps = NULL;
    json_object *accel;

    if (qemu_caps_get_int(obj, "format") != QEMU_CAPS_CACHE_FORMAT) {
        qemu_caps_bad(error, "format");
        return NULL;
    }
    if (!binary || !qemu_caps_get_str(obj, "arch")) {
        qemu_caps_bad(error, "binary");
        return NULL;
    }
    caps = qemu_caps_new(binary);
    g_free(caps->arch);
    caps->arch = g_strdup(qemu_caps_get_str(obj, "arch"));
    caps->identity = g_strdup(qemu_caps_get_str(obj, "identity"));
    caps->host = g_strdup(qemu_caps_get_str(obj, "host"));
    caps->version = qemu_caps_get_int(obj, "version");
    caps->package = g_strdup(qemu_caps_get_str(obj, "package"));
    caps->kvm = qemu_caps_get_bool(obj, "kvm");
    caps->host_cpu_vendor = g_strdup(qemu_caps_get_str(obj, "host-cpu-vendor"));
    caps->kvm_max_vcpus = qemu_caps_get_int(obj, "kvm-max-vcpus");
    if (!qemu_caps_machines_from_json(caps, qemu_caps_get_array(obj, "machines"), error))
        return NULL;
    if (!json_object_object_get_ex(obj, "accel", &accel)) {
        qemu_caps_bad(error, "accel");
        return NULL;
    }
    for (int i = 0; i < QEMU_CAPS_ACCEL_LAST; i++) {
        json_object *info;

        if (!json_object_object_get_ex(accel, qemu_caps_accel_to_string(i), &info)) {
            qemu_caps_bad(error, qemu_caps_accel_to_string(i));
            return NULL;
        }
        if (!qemu_caps_accel_from_json(&caps->accel[i], info, error))
            return NULL;
    }
    qemu_caps_set_from_json(caps->devices, qemu_caps_get_array(obj, "devices"));
    qemu_caps_set_from_json(caps->commands, qemu_caps_get_array(obj, "commands"));
    return g_steal_pointer(&caps);
}

/* Files ---------------------------------------------------------------------- */

QemuCaps *
qemu_caps_load_file(const char *path, const char *identity, const char *host, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(json_object) obj = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &text, &len, NULL))
        return NULL;
    if (!(obj = json_tokener_parse(text))) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_INTERNAL_ERROR,
                     "'%s' is not valid JSON", path);
        return NULL;
    }
    if (!(caps = qemu_caps_from_json(obj, error)))
        return NULL;
    if (!MV_STREQ(caps->identity, identity) || !MV_STREQ(caps->host, host)) {
        g_debug("'%s' is stale (the binary or the host changed)", path);
        return NULL;
    }
    return g_steal_pointer(&caps);
}

gboolean
qemu_caps_save_file(const QemuCaps *caps, const char *path, GError **error)
{
    g_autoptr(json_object) obj = qemu_caps_to_json(caps);
    g_autofree char *dir = g_path_get_dirname(path);
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    g_autofree char *data = g_strconcat(text, "\n", NULL);

    return mv_file_mkdir(dir, 0755, error) &&
           mv_file_write_atomic(path, data, strlen(data), 0644, error);
}
