#!/usr/bin/env python3
"""Writes the test packets of tests/bpf/packets/ as hex files.

Each file is an Ethernet frame, as BPF_PROG_TEST_RUN takes data_in: hex
bytes, '#' comments. The checksums are computed here, so the files are
correct packets that a NAT or a checksum check can work on. Run it again
after changing a packet; the hex files are committed, so the build does not
need Python.
"""
import os
import struct

MAC_DST = bytes.fromhex("020000000002")
MAC_SRC = bytes.fromhex("020000000001")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip4(text):
    return bytes(int(part) for part in text.split("."))


def ethernet(ethertype, payload):
    return MAC_DST + MAC_SRC + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, protocol, l4):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x1234, 0x4000, 64,
                         protocol, 0, ip4(src), ip4(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + l4


def l4_checksum(src, dst, protocol, segment):
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, protocol, len(segment))
    return checksum(pseudo + segment)


def udp4(src, dst, sport, dport, payload):
    segment = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    csum = l4_checksum(src, dst, 17, segment) or 0xFFFF
    segment = segment[:6] + struct.pack("!H", csum) + segment[8:]
    return ethernet(0x0800, ipv4(src, dst, 17, segment))


def tcp4(src, dst, sport, dport, flags, payload=b""):
    segment = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0)
    segment += payload
    csum = l4_checksum(src, dst, 6, segment)
    segment = segment[:16] + struct.pack("!H", csum) + segment[18:]
    return ethernet(0x0800, ipv4(src, dst, 6, segment))


def udp6(payload):
    src = bytes.fromhex("fd000000000000000000000000000001")
    dst = bytes.fromhex("fd000000000000000000000000000002")
    segment = struct.pack("!HHHH", 6000, 443, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(segment), 17)
    segment = segment[:6] + struct.pack("!H", checksum(pseudo + segment)) + segment[8:]
    header = struct.pack("!IHBB", 6 << 28, len(segment), 17, 64) + src + dst
    return ethernet(0x86DD, header + segment)


def arp_request():
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC_SRC + ip4("10.0.0.1")
    body += bytes(6) + ip4("10.0.0.2")
    return ethernet(0x0806, body)


PACKETS = {
    "ipv4_udp": ("IPv4 UDP 10.0.0.1:5000 -> 10.0.0.2:53, 9-byte payload",
                 udp4("10.0.0.1", "10.0.0.2", 5000, 53, b"bpfvm-udp")),
    "ipv4_udp_foreign": ("IPv4 UDP 172.16.0.5:7000 -> 10.0.0.2:9999 (source in no known network)",
                         udp4("172.16.0.5", "10.0.0.2", 7000, 9999, b"far")),
    "ipv4_tcp": ("IPv4 TCP SYN 192.168.1.10:40000 -> 10.0.0.2:80",
                 tcp4("192.168.1.10", "10.0.0.2", 40000, 80, 0x02)),
    "ipv4_tcp_telnet": ("IPv4 TCP SYN 10.0.0.7:40001 -> 10.0.0.2:23 (the blocked port)",
                        tcp4("10.0.0.7", "10.0.0.2", 40001, 23, 0x02)),
    "ipv6_udp": ("IPv6 UDP [fd00::1]:6000 -> [fd00::2]:443, 4-byte payload", udp6(b"six!")),
    "arp": ("ARP request who-has 10.0.0.2 tell 10.0.0.1", arp_request()),
    "ipv4_truncated": ("IPv4 header cut after 10 bytes",
                       udp4("10.0.0.1", "10.0.0.2", 5000, 53, b"x")[:14 + 10]),
}


def write_hex(path, comment, frame):
    with open(path, "w") as out:
        out.write("# %s\n# %d bytes, written by make_packets.py\n" % (comment, len(frame)))
        for i in range(0, len(frame), 16):
            out.write(" ".join("%02x" % b for b in frame[i:i + 16]) + "\n")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (comment, frame) in PACKETS.items():
        write_hex(os.path.join(here, name + ".hex"), comment, frame)
