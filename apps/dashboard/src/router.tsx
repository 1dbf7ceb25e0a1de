import { lazy } from "react";
import { createBrowserRouter } from "react-router";
import { NotFoundPage } from "./components/not-found-page";
import { RouteErrorPage } from "./components/route-error-page";
import { RedirectIfSignedIn } from "./features/auth/components/redirect-if-signed-in";
import { RequirePermission } from "./features/auth/components/require-permission";
import { RequireSession } from "./features/auth/components/require-session";
import { AgentSocketProvider } from "./features/realtime/components/agent-socket-provider";
import { settingsRoute } from "./features/settings/settings-routes";
import { AppLayout } from "./features/shell/components/app-layout";

const LoginPage = lazy(() => import("./features/auth/components/login-page").then((module) => ({ default: module.LoginPage })));
const SignupPage = lazy(() =>
  import("./features/auth/components/signup-page").then((module) => ({ default: module.SignupPage })),
);
const ForgotPasswordPage = lazy(() =>
  import("./features/auth/components/forgot-password-page").then((module) => ({ default: module.ForgotPasswordPage })),
);
const ResetPasswordPage = lazy(() =>
  import("./features/auth/components/reset-password-page").then((module) => ({ default: module.ResetPasswordPage })),
);
const VerifyEmailPage = lazy(() =>
  import("./features/auth/components/verify-email-page").then((module) => ({ default: module.VerifyEmailPage })),
);
const AcceptInvitationPage = lazy(() =>
  import("./features/invitations/components/accept-invitation-page").then((module) => ({
    default: module.AcceptInvitationPage,
  })),
);
const OverviewPage = lazy(() =>
  import("./features/overview/components/overview-page").then((module) => ({ default: module.OverviewPage })),
);
const InboxPage = lazy(() => import("./features/inbox/components/inbox-page").then((module) => ({ default: module.InboxPage })));
const SearchPage = lazy(() =>
  import("./features/search/components/search-page").then((module) => ({ default: module.SearchPage })),
);
const VisitorsPage = lazy(() =>
  import("./features/visitors/components/visitors-page").then((module) => ({ default: module.VisitorsPage })),
);
const InternalChatsPage = lazy(() =>
  import("./features/internal-chats/components/internal-chats-page").then((module) => ({ default: module.InternalChatsPage })),
);
const FailedJobsPage = lazy(() =>
  import("./features/failed-jobs/components/failed-jobs-page").then((module) => ({ default: module.FailedJobsPage })),
);

export const createRouter = () =>
  createBrowserRouter([
    {
      errorElement: <RouteErrorPage />,
      children: [
        {
          element: <RedirectIfSignedIn />,
          children: [
            { path: "/login", element: <LoginPage /> },
            { path: "/signup", element: <SignupPage /> },
          ],
        },
        // Emails link to these (`${PUBLIC_URL}/<path>?token=…`); they work signed in or not.
        { path: "/verify-email", element: <VerifyEmailPage /> },
        { path: "/forgot-password", element: <ForgotPasswordPage /> },
        { path: "/reset-password", element: <ResetPasswordPage /> },
        { path: "/accept-invitation", element: <AcceptInvitationPage /> },
        {
          element: <RequireSession />,
          children: [
            {
              element: (
                <AgentSocketProvider>
                  <AppLayout />
                </AgentSocketProvider>
              ),
              children: [
                {
                  // Here a page that fails to render (or to download) keeps the shell around its error.
                  errorElement: <RouteErrorPage />,
                  children: [
                    { index: true, element: <OverviewPage /> },
                    {
                      path: "/inbox",
                      element: <InboxPage />,
                      // The inbox page reads these parameters itself and keeps its list mounted between them.
                      children: [{ path: ":view" }, { path: "conversations/:conversationId" }],
                    },
                    { path: "/search", element: <SearchPage /> },
                    { path: "/visitors", element: <VisitorsPage /> },
                    { path: "/chats", element: <InternalChatsPage />, children: [{ path: ":chatId" }] },
                    settingsRoute,
                    {
                      element: <RequirePermission permission="jobs.manage" />,
                      children: [{ path: "/admin/failed-jobs", element: <FailedJobsPage /> }],
                    },
                    { path: "*", element: <NotFoundPage /> },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  ]);
