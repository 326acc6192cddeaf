using K8sCache.Protocol.Grpc.Internal;

namespace K8sCache.Protocol.Tests.Grpc;

public class PercentEncodingTests
{
    [Theory]
    [InlineData("plain text stays", "plain text stays")]
    [InlineData("100%", "100%25")]
    [InlineData("grüße", "gr%C3%BC%C3%9Fe")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("tab\t", "tab%09")]
    public void Encode_EscapesNonPrintableAsciiAndPercent(string text, string expected) =>
        Assert.Equal(expected, PercentEncoding.Encode(text));

    [Theory]
    [InlineData("gr%C3%BC%C3%9Fe", "grüße")]
    [InlineData("100%25", "100%")]
    [InlineData("bad %zz escape", "bad %zz escape")]
    [InlineData("trailing %4", "trailing %4")]
    [InlineData("%", "%")]
    public void Decode_IsLenient(string encoded, string expected) =>
        Assert.Equal(expected, PercentEncoding.Decode(encoded));

    [Fact]
    public void EncodeThenDecode_RoundTripsUnicode()
    {
        const string text = "group 'scores' → 值 🚀 100%";
        Assert.Equal(text, PercentEncoding.Decode(PercentEncoding.Encode(text)));
    }
}
