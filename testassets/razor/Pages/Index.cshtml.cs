using Microsoft.AspNetCore.Mvc.RazorPages;

namespace RazorApp.Pages;

public sealed class IndexModel : PageModel
{
    public string Greeting => "pages ok";
}
