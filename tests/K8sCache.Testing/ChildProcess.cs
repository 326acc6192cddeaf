using System.Diagnostics;
using System.Text;

namespace K8sCache.Testing;

/// <summary>
/// A process a test starts. It keeps the process handle, and disposing it kills exactly that process (and its children)
/// if it is still running, so a failing test never leaves it behind; nothing is ever killed by name.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder? _stdout;

    private ChildProcess(Process process, bool captureOutput)
    {
        _process = process;
        _stdout = captureOutput ? new StringBuilder() : null;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardError => Read(_stderr);

    /// <summary>Standard output so far, when started with <c>captureOutput</c>.</summary>
    public string StandardOutput => _stdout is null ? string.Empty : Read(_stdout);

    /// <summary>Starts <paramref name="fileName"/>. With <paramref name="captureOutput"/>, standard output is collected
    /// in the background (for logs); without it, the test reads it with <see cref="ReadLineAsync"/>.</summary>
    public static ChildProcess Start(
        string fileName, string workingDirectory, IEnumerable<string> arguments, bool captureOutput = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var child = new ChildProcess(process, captureOutput);
        process.ErrorDataReceived += (_, e) => Append(child._stderr, e.Data);
        process.BeginErrorReadLine();
        if (child._stdout is { } stdout)
        {
            process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
            process.BeginOutputReadLine();
        }

        return child;
    }

    public static ChildProcess Start(string fileName, string workingDirectory, params string[] arguments) =>
        Start(fileName, workingDirectory, (IEnumerable<string>)arguments);

    public async Task<string> ReadLineAsync(TimeSpan timeout) =>
        await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout)
        ?? throw new InvalidOperationException($"Process {Id} closed its output. stderr:\n{StandardError}");

    /// <summary>Waits for the process to exit and returns its whole standard output; throws with its stderr if it
    /// exits non-zero.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan timeout)
    {
        var output = await _process.StandardOutput.ReadToEndAsync().WaitAsync(timeout);
        await _process.WaitForExitAsync().WaitAsync(timeout);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Process {Id} exited with {_process.ExitCode}. stderr:\n{StandardError}");
        }

        return output;
    }

    /// <summary>Waits for the process to exit and for its captured output to be read to the end.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);

        // The parameterless wait also waits for the asynchronous output readers to reach the end of the streams.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies at once, as a pod whose node vanished.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as the kubelet sends before stopping a container: the process may shut down gracefully.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: the process freezes with its sockets open, as a node that hangs. Pair with <see cref="ResumeAsync"/>
    /// in a <c>finally</c>.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Writes <paramref name="text"/> to standard input, then closes it if <paramref name="close"/>.</summary>
    public async Task WriteStandardInputAsync(string text, bool close)
    {
        await _process.StandardInput.WriteAsync(text);
        if (close)
        {
            _process.StandardInput.Close();
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        _process.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}
