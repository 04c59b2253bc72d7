"""Input packets of the judge corpus, built with their real checksums.
packets.PACKETS maps a case's data= name to a function returning bytes."""
import struct

DST_MAC = bytes.fromhex("020000000002")
SRC_MAC = bytes.fromhex("020000000001")
IP_SRC = bytes([10, 0, 0, 1])
IP_DST = bytes([10, 0, 0, 2])
IP6_SRC = bytes.fromhex("fd000000000000000000000000000001")
IP6_DST = bytes.fromhex("fd000000000000000000000000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def eth(proto, payload, vlans=()):
    head = DST_MAC + SRC_MAC
    for tpid, vid in vlans:
        head += struct.pack("!H", tpid) + struct.pack("!H", vid)
    return head + struct.pack("!H", proto) + payload


def eth_tagged(vlans, proto, payload):
    """vlans: list of (tpid, vid); the last tag carries proto."""
    head = DST_MAC + SRC_MAC
    for tpid, vid in vlans:
        head += struct.pack("!HH", tpid, vid)
    return head + struct.pack("!H", proto) + payload


def ipv4(proto, payload, ttl=64, options=b"", src=IP_SRC, dst=IP_DST, frag=0x4000):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(options) + len(payload),
                      0x1234, frag, ttl, proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def l4_csum_v4(proto, segment, src=IP_SRC, dst=IP_DST):
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(segment))
    return csum(pseudo + segment)


def l4_csum_v6(proto, segment):
    pseudo = IP6_SRC + IP6_DST + struct.pack("!IxxxB", len(segment), proto)
    return csum(pseudo + segment)


def udp(sport, dport, payload, v6=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_csum_v6(17, seg) if v6 else l4_csum_v4(17, seg)
    return seg[:6] + struct.pack("!H", c or 0xFFFF) + seg[8:]


def tcp(sport, dport, payload, v6=False):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x18, 8192, 0, 0) + payload
    c = l4_csum_v6(6, seg) if v6 else l4_csum_v4(6, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def icmp_echo(seq, payload=b"judge-ping"):
    msg = struct.pack("!BBHHH", 8, 0, 0, 0x4242, seq) + payload
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def icmp6_echo(seq, payload=b"judge-ping6"):
    msg = struct.pack("!BBHHH", 128, 0, 0, 0x4242, seq) + payload
    return msg[:2] + struct.pack("!H", l4_csum_v6(58, msg)) + msg[4:]


def ipv6(nexthdr, payload, hop=64):
    return struct.pack("!IHBB", 0x60000000, len(payload), nexthdr, hop) + IP6_SRC + IP6_DST \
        + payload


def ext(nexthdr, length8=0):
    """A generic extension header (hop-by-hop, routing, dest options) of
    (length8 + 1) * 8 bytes, padded with PadN."""
    body = bytes([nexthdr, length8]) + bytes([1, (length8 + 1) * 8 - 4]) \
        + bytes((length8 + 1) * 8 - 4)
    return body


def frag(nexthdr, offset, more):
    return struct.pack("!BBHI", nexthdr, 0, (offset << 3) | more, 0xabcd)


def ipv4_udp():
    return eth(0x0800, ipv4(17, udp(5000, 53, b"judge-udp")))


def ipv4_udp_other():
    return eth(0x0800, ipv4(17, udp(5001, 4000, b"other")))


def ipv4_tcp():
    return eth(0x0800, ipv4(6, tcp(40000, 80, b"GET / HTTP/1.0\r\n")))


def ipv4_tcp_ssh():
    return eth(0x0800, ipv4(6, tcp(40001, 22, b"SSH-2.0")))


def ipv4_udp_ttl1():
    return eth(0x0800, ipv4(17, udp(5000, 53, b"dying"), ttl=1))


def ipv4_options_udp():
    return eth(0x0800, ipv4(17, udp(5000, 53, b"opts"), options=bytes([1, 1, 1, 0])))


def ipv4_fragment():
    return eth(0x0800, ipv4(17, udp(5000, 53, b"frag"), frag=0x2000))


def ipv4_truncated():
    return eth(0x0800, ipv4(17, udp(5000, 53, b"x"))[:10])


def icmp4_echo_seq1():
    return eth(0x0800, ipv4(1, icmp_echo(1)))


def icmp4_echo_seq2():
    return eth(0x0800, ipv4(1, icmp_echo(2)))


def icmp6_echo_seq1():
    return eth(0x86DD, ipv6(58, icmp6_echo(1)))


def icmp6_echo_seq2():
    return eth(0x86DD, ipv6(58, icmp6_echo(2)))


def vlan5_ipv4_udp():
    return eth_tagged([(0x8100, 5)], 0x0800, ipv4(17, udp(5000, 53, b"vlan")))


def qinq_icmp4_seq1():
    return eth_tagged([(0x88A8, 300), (0x8100, 100)], 0x0800, ipv4(1, icmp_echo(1)))


def vlan7_icmp4_seq1():
    return eth_tagged([(0x8100, 7)], 0x0800, ipv4(1, icmp_echo(1)))


def vlan_ipv6_tcp():
    return eth_tagged([(0x8100, 9)], 0x86DD, ipv6(6, tcp(40000, 443, b"hello6", v6=True)))


def mpls_ipv4_udp():
    label = struct.pack("!I", (16 << 12) | (1 << 8) | 64)  # label 16, bottom of stack
    return eth(0x8847, label + ipv4(17, udp(5000, 53, b"mpls")))


def ipv6_udp():
    return eth(0x86DD, ipv6(17, udp(5000, 53, b"judge-udp6", v6=True)))


def ipv6_tcp():
    return eth(0x86DD, ipv6(6, tcp(40000, 80, b"GET6", v6=True)))


def ipv6_ext_udp():
    # hop-by-hop -> routing (24 bytes) -> destination options -> UDP
    payload = ext(43) + ext(60, 2) + ext(17) + udp(5000, 53, b"ext", v6=True)
    return eth(0x86DD, ipv6(0, payload))


def ipv6_frag_first_tcp():
    return eth(0x86DD, ipv6(44, frag(6, 0, 1) + tcp(40000, 80, b"first", v6=True)))


def ipv6_frag_later():
    return eth(0x86DD, ipv6(0, ext(44) + frag(17, 185, 0) + b"tail-of-a-datagram"))


def ipv6_ah_udp():
    ah = struct.pack("!BBHII", 17, 4, 0, 0x100, 1) + bytes(12)  # (4 + 2) * 4 = 24 bytes
    return eth(0x86DD, ipv6(51, ah + udp(5000, 53, b"ah", v6=True)))


def ipv6_too_many_ext():
    chain = b""
    for _ in range(9):
        chain += ext(60)
    chain = chain[:-8] + ext(17)
    return eth(0x86DD, ipv6(60, chain + udp(1, 2, b"deep", v6=True)))


def ipv6_ext_truncated():
    return eth(0x86DD, ipv6(0, ext(60, 3)[:12]))


def arp():
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + SRC_MAC + IP_SRC + bytes(6) + IP_DST
    return eth(0x0806, body)


def broadcast_arp():
    return b"\xff" * 6 + arp()[6:]


def ipv4_tcp_54():
    return eth(0x0800, ipv4(6, tcp(40000, 80, b"")))


def ipv4_udp_64():
    return eth(0x0800, ipv4(17, udp(5000, 53, bytes(range(22)))))


def ipv4_udp_74():
    return eth(0x0800, ipv4(17, udp(5000, 53, bytes(range(32)))))


def big_udp():
    return eth(0x0800, ipv4(17, udp(5000, 53, bytes(range(256)) * 4)))


PACKETS = {name: fn for name, fn in globals().items()
           if callable(fn) and not name.startswith("_") and fn.__module__ == __name__
           and name not in ("csum", "eth", "eth_tagged", "ipv4", "l4_csum_v4", "l4_csum_v6",
                            "udp", "tcp", "icmp_echo", "icmp6_echo", "ipv6", "ext", "frag")}
