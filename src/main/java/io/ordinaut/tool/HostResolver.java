package io.ordinaut.tool;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a tool's host name into addresses. Called once per connection, by the egress guard, and the
 * connection is made to exactly the addresses it returned and the guard accepted; a seam so tests can
 * answer differently on each lookup (DNS rebinding).
 */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
