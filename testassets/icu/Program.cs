using System.Globalization;

// Formats fixed values with German and Japanese culture data. Without ICU (or in invariant
// mode) the cultures cannot be loaded, and the app fails loudly instead of printing
// invariant-culture text that a test might mistake for success.
CultureInfo german;
CultureInfo japanese;
try
{
    german = CultureInfo.GetCultureInfo("de-DE", predefinedOnly: true);
    japanese = CultureInfo.GetCultureInfo("ja-JP", predefinedOnly: true);
}
catch (CultureNotFoundException ex)
{
    Console.Error.WriteLine($"icu: culture data missing: {ex.Message}");
    return 1;
}

var date = new DateTime(2024, 12, 24);
var number = 1234567.89m;
var monthDe = german.DateTimeFormat.GetMonthName(12);
var monthJa = japanese.DateTimeFormat.GetMonthName(12);

// A predefined culture that still formats like the invariant one means no real data was used.
if (monthDe != "Dezember" || german.NumberFormat.NumberDecimalSeparator != ",")
{
    Console.Error.WriteLine($"icu: unexpected culture data: month '{monthDe}', decimal separator '{german.NumberFormat.NumberDecimalSeparator}'");
    return 2;
}

Console.WriteLine(
    $"icu: de-DE {number.ToString("N2", german)} | {date.ToString("D", german)} | ja-JP {monthJa}");
return 0;
