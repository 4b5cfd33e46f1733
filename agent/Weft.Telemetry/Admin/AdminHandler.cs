using System.Net;

namespace Weft.Telemetry.Admin;

/// <summary>
/// Serves one GET request: sets the status, headers and body of <paramref name="context"/>'s response.
/// The server closes the response afterwards. <paramref name="cancellationToken"/> fires when the server stops.
/// </summary>
public delegate Task AdminHandler(HttpListenerContext context, CancellationToken cancellationToken);
