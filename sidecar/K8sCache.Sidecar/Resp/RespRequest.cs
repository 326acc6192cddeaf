using System.Text;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// One parsed command: its arguments as byte ranges of one buffer that the connection reuses from command to command,
/// so parsing allocates nothing once the buffer has grown to the connection's usual request size.
/// </summary>
internal sealed class RespRequest
{
    /// <summary>A buffer grown past this by one large request is dropped after it, so an idle connection does not keep
    /// a large value's worth of memory.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    private byte[] _data = new byte[512];
    private (int Offset, int Length)[] _args = new (int, int)[8];
    private int _used;

    public int Count { get; private set; }

    /// <summary>Bytes of all arguments so far.</summary>
    public long Length => _used;

    public ReadOnlySpan<byte> this[int index] => _data.AsSpan(_args[index].Offset, _args[index].Length);

    public void Clear()
    {
        if (_data.Length > KeptBufferBytes)
        {
            _data = new byte[512];
        }

        _used = 0;
        Count = 0;
    }

    public void Add(ReadOnlySpan<byte> argument)
    {
        var length = argument.Length;
        if (_data.Length - _used < length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _used + length));
        }

        if (Count == _args.Length)
        {
            Array.Resize(ref _args, _args.Length * 2);
        }

        argument.CopyTo(_data.AsSpan(_used));
        _args[Count++] = (_used, length);
        _used += length;
    }

    /// <summary>Whether argument <paramref name="index"/> is <paramref name="upper"/> in any letter case.</summary>
    public bool Is(int index, ReadOnlySpan<byte> upper) => index < Count && Ascii.EqualsIgnoreCase(this[index], upper);

    public string Text(int index) => Encoding.UTF8.GetString(this[index]);

    public byte[] Bytes(int index) => this[index].ToArray();
}
