using System.Net;
using System.Net.Sockets;

namespace MultiStage.Engine.Registry;

/// <summary>
/// Whether a registry may be spoken to without verified TLS, decided as the engine decides for its own pulls and
/// pushes (Docker's isSecureIndex): the engine's "insecure-registries" by name, else by the address ranges
/// (127.0.0.0/8 by default) the registry's host resolves into. The engine's answer keeps both paths agreeing.
/// </summary>
public static class InsecureRegistries
{
    /// <summary>True when the registry is insecure for the engine whose settings these are.</summary>
    /// <param name="registry">host[:port].</param>
    /// <param name="insecureIndexes">Registries the engine lists by name with Secure=false.</param>
    /// <param name="insecureRanges">The engine's InsecureRegistryCIDRs ("127.0.0.0/8").</param>
    public static bool IsInsecure(string registry, IEnumerable<string> insecureIndexes, IEnumerable<string> insecureRanges)
    {
        if (insecureIndexes.Contains(registry, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        var host = Host(registry);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        }
        catch (SocketException)
        {
            // Unresolvable here: secure, and the request's own failure says why.
            return false;
        }

        var ranges = insecureRanges.Select(ParseRange).Where(r => r is not null).Select(r => r!.Value).ToList();
        return addresses.Any(a => ranges.Any(r => InRange(a, r.Network, r.PrefixLength)));
    }

    /// <summary>The host of host[:port], brackets of an IPv6 literal removed.</summary>
    internal static string Host(string registry)
    {
        if (registry.StartsWith('['))
        {
            var end = registry.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? registry[1..end] : registry;
        }

        var colon = registry.LastIndexOf(':');
        return colon > 0 && registry.IndexOf(':') == colon ? registry[..colon] : registry;
    }

    private static (IPAddress Network, int PrefixLength)? ParseRange(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IPAddress.TryParse(cidr[..slash], out var network) && int.TryParse(cidr[(slash + 1)..], out var length)
            ? (network, length)
            : null;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefixLength)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length || prefixLength < 0 || prefixLength > a.Length * 8)
        {
            return false;
        }

        for (var bit = 0; bit < prefixLength; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
