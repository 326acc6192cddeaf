using K8sCache.Sidecar.Hashing;

namespace K8sCache.Sidecar.Tests.Hashing;

/// <summary>
/// Pins the hash and the ring it builds to fixed values. During a rolling upgrade old and new nodes must agree on
/// every key's owner: a change to <see cref="KeyHash"/>, to how virtual nodes are named or to how members are sorted
/// would silently send every key to another node. If one of these fails, the change is a breaking one.
/// </summary>
public class KeyHashTests
{
    [Theory]
    [InlineData("", 0xefd01f60ba992926UL)]
    [InlineData("a", 0x86fc2d0407502de5UL)]
    [InlineData("scores", 0x53a7a774aad0f5c6UL)]
    [InlineData("10.0.0.1:7070#0", 0x265f3c1280dce9d0UL)]
    [InlineData("10.0.0.1:7070#4095", 0x31f37fc01fbf2041UL)]
    [InlineData("ключ", 0xb1270976494529abUL)]
    [InlineData("🔑", 0x6997df83492dbc60UL)]
    public void Hash_OfAFixedString_IsAFixedValue(string text, ulong expected)
    {
        Assert.Equal(expected, KeyHash.Hash(text));
    }

    [Theory]
    [InlineData("Tom", "10.0.0.3:7070")]
    [InlineData("Jack", "10.0.0.2:7070")]
    [InlineData("Sam", "10.0.0.2:7070")]
    [InlineData("Peter", "10.0.0.2:7070")]
    [InlineData("Alice", "10.0.0.3:7070")]
    [InlineData("Bob", "10.0.0.3:7070")]
    public void Owner_OfAFixedKeyOnAFixedRing_IsAFixedMember(string key, string owner)
    {
        var ring = HashRing.Create(["10.0.0.3:7070", "10.0.0.1:7070", "10.0.0.2:7070"], version: 1);

        Assert.Equal(owner, ring.Owner(key));
    }
}
