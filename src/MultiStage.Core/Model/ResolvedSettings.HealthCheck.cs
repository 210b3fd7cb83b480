using System.Globalization;
using System.Text.RegularExpressions;
using MultiStage.Diagnostics;
using MultiStage.Dockerfiles;
using MultiStage.Logging;

namespace MultiStage.Model;

/// <summary>The HEALTHCHECK of the runtime stage: ContainerHealthCheck items and their ContainerHealthCheck* properties.</summary>
public sealed partial record ResolvedSettings
{
    /// <summary>The value of a ContainerHealthCheck item that turns off the base image's health check.</summary>
    public const string HealthCheckNone = "None";

    // A duration as the engine parses it (Go's time.ParseDuration), without sign or fraction: 30s, 1m30s, 500ms.
    private static readonly Regex DurationRegex = new("^(?:[0-9]{1,9}(?:ns|us|ms|s|m|h))+\\z", RegexOptions.CultureInvariant);

    /// <summary>The HEALTHCHECK instruction; null: none (the base image's, if it has one, stays).</summary>
    public Healthcheck? HealthCheck { get; init; }

    /// <summary>False (logged) when a value is not valid; <paramref name="health"/> null when nothing is set.</summary>
    private static bool CheckHealthCheck(ContainerSettings settings, ILog log, out Healthcheck? health)
    {
        health = null;
        var options = new List<KeyValuePair<string, string>>();
        foreach (var (name, property, value) in new[]
        {
            ("interval", "ContainerHealthCheckInterval", settings.HealthCheckInterval),
            ("timeout", "ContainerHealthCheckTimeout", settings.HealthCheckTimeout),
            ("start-period", "ContainerHealthCheckStartPeriod", settings.HealthCheckStartPeriod),
        })
        {
            if (value.Length == 0)
            {
                continue;
            }

            if (!DurationRegex.IsMatch(value))
            {
                log.Error(ErrorCodes.InvalidHealthCheck, $"{property} '{value}' is not a duration: a number with a unit (ns, us, ms, s, m, h), such as 30s or 1m30s.");
                return false;
            }

            options.Add(new(name, value));
        }

        if (settings.HealthCheckRetries.Length > 0)
        {
            if (!int.TryParse(settings.HealthCheckRetries, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) || retries is < 1 or > 1000)
            {
                log.Error(ErrorCodes.InvalidHealthCheck, $"ContainerHealthCheckRetries '{settings.HealthCheckRetries}' must be a whole number from 1 to 1000.");
                return false;
            }

            options.Add(new("retries", retries.ToString(CultureInfo.InvariantCulture)));
        }

        var command = settings.HealthCheck;
        if (command.Count == 1 && string.Equals(command[0], HealthCheckNone, StringComparison.OrdinalIgnoreCase))
        {
            if (options.Count > 0)
            {
                log.Error(ErrorCodes.InvalidHealthCheck, "ContainerHealthCheck is None (no health check), yet ContainerHealthCheckInterval/Timeout/StartPeriod/Retries are set. Remove them, or give the check's command.");
                return false;
            }

            health = new Healthcheck(null, options);
            return true;
        }

        if (command.Count == 0)
        {
            if (options.Count > 0)
            {
                log.Error(ErrorCodes.InvalidHealthCheck, "ContainerHealthCheckInterval/Timeout/StartPeriod/Retries are set without a ContainerHealthCheck command. Add ContainerHealthCheck items: the command and its arguments, for example the app itself with a health argument.");
                return false;
            }

            return true;
        }

        if (!command.All(a => Representable(a, "ContainerHealthCheck", log)))
        {
            return false;
        }

        health = new Healthcheck(command, options);
        return true;
    }
}
