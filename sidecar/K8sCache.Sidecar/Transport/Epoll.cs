using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace K8sCache.Sidecar.Transport;

/// <summary>
/// Linux's epoll and eventfd, on which <see cref="EventLoop"/> waits. <c>struct epoll_event</c> is packed on x86-64
/// (12 bytes, its data at offset 4) and naturally aligned on other architectures (16 bytes, data at 8), so events are
/// written and read at offsets chosen for the running architecture instead of through one struct layout.
/// </summary>
internal static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;

    private const string Libc = "libc";
    private const int ControlAdd = 1;
    private const int ControlDelete = 2;
    private const int ControlModify = 3;
    private const int CloseOnExec = 0x80000;
    private const int NonBlocking = 0x800;
    private const int Interrupted = 4;

    /// <summary>Bytes of one <c>struct epoll_event</c> on this architecture.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    public static int Create() => Check(epoll_create1(CloseOnExec), "epoll_create1");

    /// <summary>A non-blocking eventfd: other threads wake the loop by writing to it.</summary>
    public static int CreateEventFd() => Check(eventfd(0, NonBlocking | CloseOnExec), "eventfd");

    public static void Add(int epoll, int fd, uint events) => Control(epoll, ControlAdd, fd, events);

    public static void Modify(int epoll, int fd, uint events) => Control(epoll, ControlModify, fd, events);

    /// <summary>Stops watching <paramref name="fd"/>; closing it would as well, so a failure here is not one.</summary>
    public static void Remove(int epoll, int fd) => epoll_ctl(epoll, ControlDelete, fd, null);

    /// <summary>Waits until at least one watched descriptor is ready; the count of events written.</summary>
    public static int Wait(int epoll, byte* events, int maxEvents)
    {
        while (true)
        {
            var count = epoll_wait(epoll, events, maxEvents, -1);
            if (count >= 0 || Marshal.GetLastPInvokeError() != Interrupted)
            {
                return Check(count, "epoll_wait");
            }
        }
    }

    /// <summary>The descriptor and the ready flags of event <paramref name="index"/>.</summary>
    public static (int Fd, uint Events) Read(byte* events, int index)
    {
        var at = events + index * EventSize;
        return ((int)Unsafe.ReadUnaligned<ulong>(at + DataOffset), Unsafe.ReadUnaligned<uint>(at));
    }

    /// <summary>Makes the eventfd readable. A full counter (it is readable already) is not an error.</summary>
    public static void Signal(int eventFd)
    {
        ulong one = 1;
        write(eventFd, &one, sizeof(ulong));
    }

    /// <summary>Resets the eventfd to not readable.</summary>
    public static void Drain(int eventFd)
    {
        ulong value;
        read(eventFd, &value, sizeof(ulong));
    }

    public static void Close(int fd) => close(fd);

    private static void Control(int epoll, int operation, int fd, uint events)
    {
        var e = stackalloc byte[16];
        Unsafe.WriteUnaligned(e, events);
        Unsafe.WriteUnaligned(e + DataOffset, (ulong)fd);
        Check(epoll_ctl(epoll, operation, fd, e), "epoll_ctl");
    }

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed: {Marshal.GetLastPInvokeErrorMessage()}");

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int operation, int fd, byte* e);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_wait(int epoll, byte* events, int maxEvents, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int eventfd(uint initial, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint read(int fd, void* buffer, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint write(int fd, void* buffer, nint count);

    [LibraryImport(Libc)]
    private static partial int close(int fd);
}
