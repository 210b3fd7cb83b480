Console.WriteLine(App.AppMessage.Build());
