/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-interface.c: taps for bridge and ethernet interfaces.
 *
 * The tap itself comes from an ioctl (TUNSETIFF on /dev/net/tun: netlink
 * cannot hand out the fd QEMU needs); its MAC, MTU, bridge port and link
 * state are set over rtnetlink (libnl-route).  See qemu-interface.h for
 * the lifetime rules.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include <glib.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "drivers/qemu/qemu-interface.h"
#include "util/error.h"
#include "util/macros.h"

#define IFACE_TUN_PATH "/dev/net/tun"
#define IFACE_GENERATED_PREFIX "vnet"
/* How many vnetN names to try before giving up (others may be taken by
 * other programs). */
#define IFACE_NAME_ATTEMPTS 1024

typedef struct nl_sock IfaceNlSock;
typedef struct rtnl_link IfaceLink;
typedef struct nl_addr IfaceAddr;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IfaceNlSock, nl_socket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IfaceLink, rtnl_link_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IfaceAddr, nl_addr_put)

/* ---- the fd array ------------------------------------------------------------- */

static QemuTapFds *
tap_fds_new(guint n)
{
    QemuTapFds *taps = g_new0(QemuTapFds, 1);

    taps->n = n;
    taps->fds = g_new(int, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        taps->fds[i] = -1;
    return taps;
}

void
qemu_tap_fds_close(QemuTapFds *taps)
{
    if (!taps)
        return;
    for (guint i = 0; i < taps->n; i++)
        mv_closep(&taps->fds[i]);
}

void
qemu_tap_fds_free(QemuTapFds *taps)
{
    if (!taps)
        return;
    qemu_tap_fds_close(taps);
    g_free(taps->fds);
    g_free(taps);
}

void
qemu_tap_fds_append(const QemuTapFds *taps, GArray *keep)
{
    for (guint i = 0; taps && i < taps->n; i++) {
        if (taps->fds[i] >= 0)
            g_array_append_val(keep, taps->fds[i]);
    }
}

/* ---- taps (ioctl) ---------------------------------------------------------------- */

/*
 * Open the tap @name: created unless it exists; with @excl an existing
 * device is refused (EBUSY) instead of attached to.  Returns the fd or
 * -errno.
 */
static int
iface_tap_open(const char *name, gboolean vnet_hdr, gboolean excl)
{
    struct ifreq ifr;
    mv_autoclose int fd = -1;

    memset(&ifr, 0, sizeof(ifr));
    if (strlen(name) >= IFNAMSIZ)
        return -ENAMETOOLONG;
    g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (vnet_hdr)
        ifr.ifr_flags |= IFF_VNET_HDR;
    if (excl)
        ifr.ifr_flags |= IFF_TUN_EXCL;
    if ((fd = open(IFACE_TUN_PATH, O_RDWR | O_CLOEXEC)) < 0)
        return -errno;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return -errno;
    return mv_steal_fd(&fd);
}

static gboolean
iface_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

/*
 * A new tap for @net: named as the user asked, else the next free vnetN
 * (whose name is then stored in @net).  An existing device of the asked
 * name is refused: attaching to it would hand QEMU someone else's tap.
 */
static int
iface_tap_create(QemuDriver *drv, DomainNetDef *net, gboolean vnet_hdr, GError **error)
{
    int fd;

    if (net->ifname) {
        fd = iface_tap_open(net->ifname, vnet_hdr, TRUE);
        if (fd == -EBUSY)
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                         "The %s interface already exists", net->ifname);
        else if (fd < 0)
            mv_error_set_errno(error, -fd, "cannot create tap device '%s'", net->ifname);
        return fd < 0 ? -1 : fd;
    }
    for (guint i = 0; i < IFACE_NAME_ATTEMPTS; i++) {
        int id = g_atomic_int_add(&drv->tap_next_id, 1);
        g_autofree char *name = NULL;

        if (id < 0) {
            /* 2^31 names later: start over */
            g_atomic_int_set(&drv->tap_next_id, 0);
            continue;
        }
        name = g_strdup_printf(IFACE_GENERATED_PREFIX "%d", id);
        if (iface_exists(name))
            continue;
        fd = iface_tap_open(name, vnet_hdr, TRUE);
        if (fd == -EBUSY)
            continue;  /* someone else took it just now */
        if (fd < 0) {
            mv_error_set_errno(error, -fd, "cannot create tap device '%s'", name);
            return -1;
        }
        net->ifname = g_steal_pointer(&name);
        return fd;
    }
    mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                 "no free tap device name (vnetN) found");
    return -1;
}

/* ---- links (rtnetlink) -------------------------------------------------------- */

static IfaceNlSock *
iface_nl_open(GError **error)
{
    g_autoptr(IfaceNlSock) sk = nl_socket_alloc();
    int r;

    if (!sk) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_NO_MEMORY, "cannot allocate a netlink socket");
        return NULL;
    }
    if ((r = nl_connect(sk, NETLINK_ROUTE)) < 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                     "cannot connect to rtnetlink: %s", nl_geterror(r));
        return NULL;
    }
    return g_steal_pointer(&sk);
}

/* The ifindex and MTU of the bridge @name, or an error naming it. */
static gboolean
iface_bridge_lookup(IfaceNlSock *sk, const char *name, const char *mac, int *ret_ifindex,
                    guint *ret_mtu, GError **error)
{
    g_autoptr(IfaceLink) br = NULL;
    const char *type;
    int r;

    if ((r = rtnl_link_get_kernel(sk, 0, name, &br)) < 0) {
        if (r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV)
            mv_error_set_errno(error, ENODEV, "interface '%s': cannot use bridge '%s'", mac,
                               name);
        else
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                         "interface '%s': cannot look up bridge '%s': %s", mac, name,
                         nl_geterror(r));
        return FALSE;
    }
    type = rtnl_link_get_type(br);
    if (!MV_STREQ(type, "bridge")) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "interface '%s': '%s' is not a bridge (it is a '%s' device)", mac, name,
                     type ? type : "plain");
        return FALSE;
    }
    *ret_ifindex = rtnl_link_get_ifindex(br);
    *ret_mtu = rtnl_link_get_mtu(br);
    return TRUE;
}

/*
 * Set up the link @name: MAC @hwaddr (if not NULL), MTU @mtu (if not 0),
 * port of the bridge @master (if not 0), and up.
 */
static gboolean
iface_link_setup(IfaceNlSock *sk, const char *name, const unsigned char *hwaddr, guint mtu,
                 int master, const char *bridge, GError **error)
{
    g_autoptr(IfaceLink) link = NULL;
    g_autoptr(IfaceLink) change = rtnl_link_alloc();
    g_autoptr(IfaceAddr) addr = NULL;
    int r;

    if ((r = rtnl_link_get_kernel(sk, 0, name, &link)) < 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                     "cannot find tap device '%s': %s", name, nl_geterror(r));
        return FALSE;
    }
    if (hwaddr) {
        addr = nl_addr_build(AF_LLC, hwaddr, 6);
        rtnl_link_set_addr(change, addr);
    }
    if (mtu > 0)
        rtnl_link_set_mtu(change, mtu);
    if ((hwaddr || mtu > 0) && (r = rtnl_link_change(sk, link, change, 0)) < 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                     "cannot set the MAC address and MTU %u of tap device '%s': %s", mtu,
                     name, nl_geterror(r));
        return FALSE;
    }
    if (master > 0 &&
        (r = rtnl_link_enslave_ifindex(sk, master, rtnl_link_get_ifindex(link))) < 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                     "cannot add tap device '%s' to bridge '%s': %s", name, bridge,
                     nl_geterror(r));
        return FALSE;
    }
    g_clear_pointer(&change, rtnl_link_put);
    change = rtnl_link_alloc();
    rtnl_link_set_flags(change, IFF_UP);
    if ((r = rtnl_link_change(sk, link, change, 0)) < 0) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_SYSTEM_ERROR,
                     "cannot bring tap device '%s' up: %s", name, nl_geterror(r));
        return FALSE;
    }
    return TRUE;
}

/* ---- one interface ------------------------------------------------------------ */

static gboolean
iface_is_virtio(const DomainNetDef *net)
{
    return MV_STREQ(net->model, "virtio");
}

static void
iface_tap_mac(const DomainNetDef *net, unsigned char ret[6])
{
    /* the host side must not carry the guest's address, and a bridge takes
     * the lowest MAC of its ports: 0xfe keeps the tap out of the way */
    memcpy(ret, net->mac, 6);
    ret[0] = 0xfe;
}

static int
iface_start_bridge(QemuDriver *drv, IfaceNlSock *sk, DomainNetDef *net, const char *mac,
                   GError **error)
{
    mv_autoclose int fd = -1;
    unsigned char hwaddr[6];
    int master = 0;
    guint mtu = 0;

    if (!iface_bridge_lookup(sk, net->bridge, mac, &master, &mtu, error))
        return -1;
    if ((fd = iface_tap_create(drv, net, iface_is_virtio(net), error)) < 0)
        return -1;
    iface_tap_mac(net, hwaddr);
    if (net->mtu > 0)
        mtu = net->mtu;
    if (!iface_link_setup(sk, net->ifname, hwaddr, mtu, master, net->bridge, error))
        return -1;
    return mv_steal_fd(&fd);
}

static int
iface_start_ethernet(QemuDriver *drv, IfaceNlSock *sk, DomainNetDef *net, GError **error)
{
    mv_autoclose int fd = -1;
    unsigned char hwaddr[6];

    if (net->managed_tap == DOMAIN_TRISTATE_NO) {
        /* the user's own tap: attached to as it is, only brought up */
        if ((fd = iface_tap_open(net->ifname, iface_is_virtio(net), FALSE)) < 0) {
            mv_error_set_errno(error, -fd, "cannot open tap device '%s'", net->ifname);
            return -1;
        }
        if (!iface_link_setup(sk, net->ifname, NULL, net->mtu, 0, NULL, error))
            return -1;
        return mv_steal_fd(&fd);
    }
    if ((fd = iface_tap_create(drv, net, iface_is_virtio(net), error)) < 0)
        return -1;
    iface_tap_mac(net, hwaddr);
    if (!iface_link_setup(sk, net->ifname, hwaddr, net->mtu, 0, NULL, error))
        return -1;
    return mv_steal_fd(&fd);
}

/* What can be refused before any tap exists. */
static gboolean
iface_check(const DomainNetDef *net, const char *mac, GError **error)
{
    switch (net->type) {
    case DOMAIN_NET_TYPE_NETWORK:
        mv_error_set(error, MV_FROM_NETWORK, MV_ERR_NO_NETWORK,
                     "network '%s' of interface '%s': networks are not served yet (use a bridge)",
                     net->network, mac);
        return FALSE;
    case DOMAIN_NET_TYPE_ETHERNET:
        if (net->managed_tap == DOMAIN_TRISTATE_NO &&
            (!net->ifname || !iface_exists(net->ifname))) {
            mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                         "interface '%s': target managed='no' but dev '%s' does not exist",
                         mac, net->ifname ? net->ifname : "");
            return FALSE;
        }
        break;
    case DOMAIN_NET_TYPE_BRIDGE:
    case DOMAIN_NET_TYPE_USER:
        break;
    case DOMAIN_NET_TYPE_LAST:
    default:
        mv_enum_range_error(net->type);
        return FALSE;
    }
    if (net->ifname && strlen(net->ifname) >= IFNAMSIZ) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_CONFIG_UNSUPPORTED,
                     "interface '%s': device name '%s' is longer than %d characters", mac,
                     net->ifname, IFNAMSIZ - 1);
        return FALSE;
    }
    return TRUE;
}

/* ---- the whole domain ------------------------------------------------------------- */

QemuTapFds *
qemu_interface_start(QemuDriver *drv, DomainDef *def, GError **error)
{
    g_autoptr(QemuTapFds) taps = tap_fds_new(def->nets->len);
    g_autoptr(IfaceNlSock) sk = NULL;
    char mac[18];

    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (!iface_check(net, domain_mac_format(net->mac, mac), error))
            return NULL;
    }
    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        domain_mac_format(net->mac, mac);
        if (net->type == DOMAIN_NET_TYPE_USER)
            continue;
        if (!sk && !(sk = iface_nl_open(error)))
            return NULL;
        if (net->type == DOMAIN_NET_TYPE_BRIDGE)
            taps->fds[i] = iface_start_bridge(drv, sk, net, mac, error);
        else
            taps->fds[i] = iface_start_ethernet(drv, sk, net, error);
        /* on failure the taps opened so far go with their fds */
        if (taps->fds[i] < 0)
            return NULL;
        g_debug("domain '%s': interface %s uses tap '%s' (fd %d)", def->name, mac,
                net->ifname, taps->fds[i]);
    }
    return g_steal_pointer(&taps);
}

static gboolean
iface_is_owned(const DomainNetDef *net)
{
    if (!net->ifname)
        return FALSE;
    return net->type == DOMAIN_NET_TYPE_BRIDGE ||
           (net->type == DOMAIN_NET_TYPE_ETHERNET && net->managed_tap != DOMAIN_TRISTATE_NO);
}

void
qemu_interface_reserve_names(QemuDriver *drv, const DomainDef *def)
{
    for (guint i = 0; def && i < def->nets->len; i++) {
        const DomainNetDef *net = g_ptr_array_index(def->nets, i);
        const char *num;
        gint64 id;
        int cur;

        if (!iface_is_owned(net) || !g_str_has_prefix(net->ifname, IFACE_GENERATED_PREFIX))
            continue;
        num = net->ifname + strlen(IFACE_GENERATED_PREFIX);
        if (!g_ascii_isdigit(*num) || !g_ascii_string_to_signed(num, 10, 0, G_MAXINT - 1, &id,
                                                                 NULL))
            continue;
        do {
            cur = g_atomic_int_get(&drv->tap_next_id);
        } while (cur <= id && !g_atomic_int_compare_and_exchange(&drv->tap_next_id, cur,
                                                                  (int)id + 1));
    }
}

/* ---- statistics -------------------------------------------------------------------- */

DomainNetDef *
qemu_interface_find(const DomainDef *def, const char *device)
{
    unsigned char mac[6];
    gboolean is_mac = domain_mac_parse(device, mac);

    for (guint i = 0; i < def->nets->len; i++) {
        DomainNetDef *net = g_ptr_array_index(def->nets, i);

        if (MV_STREQ(net->ifname, device) || (is_mac && memcmp(net->mac, mac, 6) == 0))
            return net;
    }
    return NULL;
}

static gboolean
iface_read_counter(const char *ifname, const char *counter, gint64 *ret, GError **error)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/statistics/%s", ifname,
                                            counter);
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;
    guint64 v;

    if (!g_file_get_contents(path, &text, NULL, &local)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "cannot read the statistics of interface '%s': %s", ifname,
                     local->message);
        return FALSE;
    }
    if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXINT64, &v, NULL)) {
        mv_error_set(error, MV_FROM_QEMU, MV_ERR_OPERATION_FAILED,
                     "cannot parse '%s' in %s", text, path);
        return FALSE;
    }
    *ret = (gint64)v;
    return TRUE;
}

gboolean
qemu_interface_stats(const char *ifname, QemuInterfaceStats *ret, GError **error)
{
    /* the host's tx is the guest's rx */
    const struct {
        const char *counter;
        gint64 *field;
    } map[] = {
        { "tx_bytes", &ret->rx_bytes }, { "tx_packets", &ret->rx_packets },
        { "tx_errors", &ret->rx_errs }, { "tx_dropped", &ret->rx_drop },
        { "rx_bytes", &ret->tx_bytes }, { "rx_packets", &ret->tx_packets },
        { "rx_errors", &ret->tx_errs }, { "rx_dropped", &ret->tx_drop },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(map); i++) {
        if (!iface_read_counter(ifname, map[i].counter, map[i].field, error))
            return FALSE;
    }
    return TRUE;
}
