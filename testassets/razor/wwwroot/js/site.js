// Marks the page as scripted, so a test can tell the script was served.
document.documentElement.dataset.scripted = "yes";
