using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sCache.Operator.Api;

/// <summary>
/// Evaluates the subset of CEL that x-kubernetes-validations rules use in this project: <c>self</c> and field access,
/// <c>has(self.f)</c>, <c>size(x)</c>, <c>duration(s)</c> (Go's duration syntax, as Kubernetes' CEL parses it; a string
/// that is not one makes the rule fail, as an evaluation error does), <c>! &amp;&amp; || == != &lt; &lt;= &gt; &gt;=</c>,
/// parentheses, string, integer and boolean literals. Anything else throws <see cref="NotSupportedException"/>: a rule
/// that cannot be evaluated is refused, never ignored (the render command's check, the test API server).
/// </summary>
internal sealed class CelSubset
{
    private readonly List<string> _tokens;
    private int _position;
    private readonly JsonNode? _self;

    private CelSubset(string rule, JsonNode? self)
    {
        _tokens = Tokenize(rule);
        _self = self;
    }

    public static bool Evaluate(string rule, JsonNode? self)
    {
        var parser = new CelSubset(rule, self);
        var value = parser.Or();
        if (parser._position != parser._tokens.Count)
        {
            throw new NotSupportedException($"CEL rule '{rule}': unexpected '{parser._tokens[parser._position]}'.");
        }

        return value is bool b ? b : throw new NotSupportedException($"CEL rule '{rule}' is not a boolean.");
    }

    private object? Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var right = And();
            left = (bool)left! || (bool)right!;
        }

        return left;
    }

    private object? And()
    {
        var left = Comparison();
        while (Accept("&&"))
        {
            var right = Comparison();
            left = (bool)left! && (bool)right!;
        }

        return left;
    }

    private object? Comparison()
    {
        var left = Unary();
        foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
        {
            if (Accept(op))
            {
                var right = Unary();
                return op switch
                {
                    "==" => Equals(Normalize(left), Normalize(right)),
                    "!=" => !Equals(Normalize(left), Normalize(right)),
                    _ when left is InvalidDuration || right is InvalidDuration => false,
                    _ when left is TimeSpan a && right is TimeSpan b => Compare(op, a.Ticks, b.Ticks),
                    _ => Compare(op, Convert.ToInt64(Normalize(left), CultureInfo.InvariantCulture), Convert.ToInt64(Normalize(right), CultureInfo.InvariantCulture)),
                };
            }
        }

        return left;
    }

    private object? Unary() => Accept("!") ? !(bool)Unary()! : Primary();

    private object? Primary()
    {
        if (Accept("("))
        {
            var value = Or();
            Expect(")");
            return value;
        }

        if (Accept("has"))
        {
            Expect("(");
            var (parent, field) = FieldReference();
            Expect(")");
            return parent is JsonObject obj && obj.ContainsKey(field);
        }

        if (Accept("duration"))
        {
            Expect("(");
            var text = Normalize(Or()) as string;
            Expect(")");
            return GoDuration(text);
        }

        if (Accept("size"))
        {
            Expect("(");
            var value = Normalize(Or());
            Expect(")");
            return value switch
            {
                JsonArray array => (long)array.Count,
                JsonObject obj => (long)obj.Count,
                string s => (long)s.Length,
                _ => throw new NotSupportedException("size() of a scalar."),
            };
        }

        var token = Next();
        if (token == "self")
        {
            JsonNode? node = _self;
            while (Accept("."))
            {
                node = node?[Next()];
            }

            return node;
        }

        if (token is "true" or "false")
        {
            return token == "true";
        }

        if (token.Length >= 2 && token[0] is '\'' or '"')
        {
            return token[1..^1];
        }

        return long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new NotSupportedException($"CEL: unsupported token '{token}'.");
    }

    private (JsonNode? Parent, string Field) FieldReference()
    {
        if (Next() != "self")
        {
            throw new NotSupportedException("has() of something other than a field of self.");
        }

        JsonNode? parent = _self;
        var field = string.Empty;
        while (Accept("."))
        {
            if (field.Length > 0)
            {
                parent = parent?[field];
            }

            field = Next();
        }

        return (parent, field);
    }

    private static object? Normalize(object? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => long.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Go's <c>time.ParseDuration</c>: signed sequences of decimal numbers with units ns, us, µs, ms, s, m, h,
    /// or <c>0</c>.</summary>
    private static object GoDuration(string? text)
    {
        if (text is null || text.Length == 0)
        {
            return InvalidDuration.Instance;
        }

        var s = text.TrimStart('+', '-');
        var negative = text[0] == '-';
        if (s == "0")
        {
            return TimeSpan.Zero;
        }

        var total = 0m;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return InvalidDuration.Instance;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal? ticks = s[unitStart..i] switch
            {
                "ns" => 0.01m,
                "us" or "µs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticks is null)
            {
                return InvalidDuration.Instance;
            }

            total += number * ticks.Value;
        }

        return total > TimeSpan.MaxValue.Ticks ? InvalidDuration.Instance : TimeSpan.FromTicks((long)(negative ? -total : total));
    }

    private static bool Compare(string op, long a, long b) => op switch
    {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        _ => a >= b,
    };

    private bool Accept(string token)
    {
        if (_position < _tokens.Count && _tokens[_position] == token)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new NotSupportedException($"CEL: expected '{token}'.");
        }
    }

    private string Next() => _position < _tokens.Count ? _tokens[_position++] : throw new NotSupportedException("CEL: unexpected end.");

    private static List<string> Tokenize(string rule)
    {
        var tokens = new List<string>();
        for (var i = 0; i < rule.Length;)
        {
            var c = rule[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < rule.Length && (char.IsLetterOrDigit(rule[i]) || rule[i] == '_'))
                {
                    i++;
                }

                tokens.Add(rule[start..i]);
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < rule.Length && char.IsDigit(rule[i]))
                {
                    i++;
                }

                tokens.Add(rule[start..i]);
            }
            else if (c is '\'' or '"')
            {
                var end = rule.IndexOf(c, i + 1);
                tokens.Add(rule[i..(end + 1)]);
                i = end + 1;
            }
            else
            {
                var two = i + 1 < rule.Length ? rule.Substring(i, 2) : string.Empty;
                if (two is "&&" or "||" or "==" or "!=" or "<=" or ">=")
                {
                    tokens.Add(two);
                    i += 2;
                }
                else
                {
                    tokens.Add(c.ToString());
                    i++;
                }
            }
        }

        return tokens;
    }

    /// <summary>What <c>duration()</c> of a string that is not a duration yields: every comparison with it is false.</summary>
    private sealed class InvalidDuration
    {
        public static readonly InvalidDuration Instance = new();
    }
}
