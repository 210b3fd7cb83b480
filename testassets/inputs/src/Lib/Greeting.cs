namespace Inputs.Lib;

public static class Greeting
{
    public static string Text
    {
        get
        {
            // CS0168 (declared, never used): a warning, an error under TreatWarningsAsErrors, silenced by the root .editorconfig.
            int unused;
            return "signed library";
        }
    }
}
