// Prints what the test environment checks in each image:
// framework|user|icu or no-icu|tz or no-tz
using System.Globalization;
using System.Runtime.InteropServices;

string icu;
try
{
    icu = CultureInfo.GetCultureInfo("de-DE").NumberFormat.NumberDecimalSeparator == "," ? "icu" : "no-icu";
}
catch (CultureNotFoundException)
{
    icu = "no-icu";
}

string tz;
try
{
    TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    tz = "tz";
}
catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
{
    tz = "no-tz";
}

Console.WriteLine($"{RuntimeInformation.FrameworkDescription}|{Environment.UserName}|{icu}|{tz}");
