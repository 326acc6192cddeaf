using System.Diagnostics;
using System.Text;

namespace K8sCache.Protocol.Tests.Fixtures;

/// <summary>
/// A process a test starts. It keeps the process handle, and disposing it kills exactly that process (and its children)
/// if it is still running, so a failing test never leaves it behind; nothing is ever killed by name.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, string workingDirectory, params string[] arguments)
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

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var child = new ChildProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._stderr)
                {
                    child._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return child;
    }

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

    public void CloseInput() => _process.StandardInput.Close();

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
}
