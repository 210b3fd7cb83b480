namespace MultiStage.Diagnostics;

/// <summary>The messages an error report should show for an exception.</summary>
public static class ExceptionMessages
{
    /// <summary>
    /// The message of <paramref name="exception"/>; for an <see cref="AggregateException"/>, whose own message is only
    /// "One or more errors occurred.", the distinct messages of the failures it holds, in order.
    /// </summary>
    public static string Of(Exception exception)
    {
        if (exception is not AggregateException aggregate)
        {
            return exception.Message;
        }

        var messages = aggregate.Flatten().InnerExceptions.Select(Of).Distinct(StringComparer.Ordinal).ToList();
        return messages.Count == 0 ? exception.Message : string.Join(" ", messages.Select(m => m.Trim()));
    }
}
