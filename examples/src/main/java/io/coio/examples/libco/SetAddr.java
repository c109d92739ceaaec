package io.coio.examples.libco;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** libco examples' {@code SetAddr}: "", "0", "0.0.0.0" and "*" mean any address; anything else is a dotted IPv4. */
final class SetAddr {
    private SetAddr() {
    }

    static InetSocketAddress of(String ip, int port) {
        if (ip == null || ip.isEmpty() || ip.equals("0") || ip.equals("0.0.0.0") || ip.equals("*")) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip, e);
        }
    }
}
