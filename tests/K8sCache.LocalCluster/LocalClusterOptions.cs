using System.Globalization;

/// <summary>The command line of k8scache-local-cluster; <see cref="Error"/> says what was wrong with it.</summary>
internal sealed record LocalClusterOptions
{
    public int Operators { get; private init; } = 1;

    public List<string> Apply { get; } = [];

    public int? UntilReady { get; private init; }

    public int TimeoutSeconds { get; private init; } = 120;

    public int? ForSeconds { get; private init; }

    public string? Error { get; private init; }

    public static LocalClusterOptions Parse(string[] args)
    {
        var options = new LocalClusterOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                return options with { Error = $"{name} needs a value" };
            }

            var value = args[++i];
            if (name == "--apply")
            {
                if (!File.Exists(value))
                {
                    return options with { Error = $"--apply: no file {value}" };
                }

                options.Apply.Add(value);
                continue;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 3600)
            {
                return options with { Error = $"{name}: '{value}' is not a whole number from 0 to 3600" };
            }

            options = name switch
            {
                "--operators" => options with { Operators = number },
                "--until-ready" => options with { UntilReady = number },
                "--timeout" => options with { TimeoutSeconds = number },
                "--for" => options with { ForSeconds = number },
                _ => options with { Error = $"unknown option {name} (known: --operators, --apply, --until-ready, --timeout, --for)" },
            };
            if (options.Error is not null)
            {
                return options;
            }
        }

        return options;
    }
}
