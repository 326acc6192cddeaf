using System.Buffers.Text;
using System.Globalization;
using System.Buffers;
using System.Text;
using K8sCache.Sidecar.Caching;
using K8sCache.Sidecar.PubSub;

namespace K8sCache.Sidecar.Resp;

/// <summary>
/// SCAN and KEYS over the whole cluster: every group, every member, each member's keys as their owner holds them. The
/// cursor carries where the walk stands: bits 53 and up the group (by name), 33–52 the member (the ring's order),
/// 0–32 the member's own cursor (<see cref="ICacheStore.Scan"/>). As Redis's, a key held throughout the walk is
/// returned, once; a key added or removed meanwhile may or may not be; members joining or leaving mid-walk can make the
/// walk miss or repeat keys.
/// </summary>
internal sealed partial class RespCommands
{
    private const int MemberShift = 33;
    private const int GroupShift = 53;

    /// <summary>Owner steps one SCAN call may take before it answers with fewer keys than COUNT.</summary>
    private const int MaxStepsPerCall = 16;

    /// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].</summary>
    public async ValueTask ScanAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        RequireRing();
        if (!Utf8Parser.TryParse(request[1], out ulong cursor, out var consumed) || consumed != request[1].Length)
        {
            throw new RespSyntaxException("ERR invalid cursor");
        }

        var (match, count, type) = (Array.Empty<byte>(), 10L, (string?)null);
        for (var i = 2; i < request.Count; i += 2)
        {
            if (i + 1 >= request.Count)
            {
                throw RespSyntaxException.Syntax();
            }

            if (request.Is(i, "MATCH"u8))
            {
                match = request.Bytes(i + 1);
            }
            else if (request.Is(i, "COUNT"u8) && (count = RespArguments.Integer(request, i + 1)) >= 1)
            {
                count = Math.Min(count, 100_000);
            }
            else if (request.Is(i, "TYPE"u8))
            {
                type = request.Text(i + 1).ToLowerInvariant();
            }
            else
            {
                throw RespSyntaxException.Syntax();
            }
        }

        var keys = new List<byte[]>();
        for (var steps = 0; steps < MaxStepsPerCall && cursor != ulong.MaxValue && (steps == 0 || cursor != 0) && keys.Count < count; steps++)
        {
            cursor = await ScanStepAsync(cursor, (int)count, match, type, keys);
        }

        RespWriter.Array(output, 2);
        RespWriter.Bulk(output, (cursor == ulong.MaxValue ? 0 : cursor).ToString(CultureInfo.InvariantCulture));
        RespWriter.Array(output, keys.Count);
        keys.ForEach(k => RespWriter.Bulk(output, k));
    }

    /// <summary>KEYS pattern: a whole walk, as SCAN MATCH pattern until the cursor comes back to 0.</summary>
    public async ValueTask KeysAsync(RespRequest request, RespSession session, IBufferWriter<byte> output)
    {
        RequireRing();
        var keys = new List<byte[]>();
        var cursor = 0UL;
        do
        {
            cursor = await ScanStepAsync(cursor, 1000, request.Bytes(1), null, keys);
        }
        while (cursor != ulong.MaxValue);

        RespWriter.Array(output, keys.Count);
        keys.ForEach(k => RespWriter.Bulk(output, k));
    }

    private void RequireRing()
    {
        if (!peers.IsReady)
        {
            throw new RespSyntaxException("LOADING K8sCache is not ready: the ring is not built yet");
        }
    }

    /// <summary>One owner step of the walk; returns the next cursor, <see cref="ulong.MaxValue"/> when it is over.</summary>
    private async Task<ulong> ScanStepAsync(ulong cursor, int count, byte[] match, string? type, List<byte[]> keys)
    {
        var groups = node.Groups.OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        var members = peers.Ring.Members.Count > 0 ? peers.Ring.Members : [peers.Self];
        var (groupIndex, memberIndex, own) = ((int)(cursor >> GroupShift), (int)((cursor >> MemberShift) & 0xFFFFF), cursor & ((1UL << MemberShift) - 1));
        if (groupIndex >= groups.Count || memberIndex >= members.Count)
        {
            return ulong.MaxValue;
        }

        var group = groups[groupIndex];
        var program = RespProgram.Of([Encoding.ASCII.GetBytes(RespOwnerCommandTable.ScanStep), Encoding.ASCII.GetBytes(own.ToString(CultureInfo.InvariantCulture)),
            Encoding.ASCII.GetBytes(count.ToString(CultureInfo.InvariantCulture))]);
        var step = RespProgram.Decode((await group.RunAtAsync(members[memberIndex], program, 2, CancellationToken.None)).Reply)[0];
        var prefix = group.Name == node.Options.Resp.DefaultGroup ? [] : Encoding.UTF8.GetBytes(group.Name + ":");
        for (var i = 1; i + 1 < step.Count; i += 2)
        {
            byte[] name = [.. prefix, .. step[i]];
            if ((match.Length == 0 || GlobPattern.IsMatch(match, name)) && (type is null || step.Text(i + 1) == type))
            {
                keys.Add(name);
            }
        }

        var next = ulong.Parse(step.Text(0), CultureInfo.InvariantCulture);
        if (next < ICacheStore.ScanEnd)
        {
            return ((ulong)groupIndex << GroupShift) | ((ulong)memberIndex << MemberShift) | next;
        }

        (groupIndex, memberIndex) = memberIndex + 1 < members.Count ? (groupIndex, memberIndex + 1) : (groupIndex + 1, 0);
        return groupIndex >= groups.Count ? ulong.MaxValue : ((ulong)groupIndex << GroupShift) | ((ulong)memberIndex << MemberShift);
    }
}
