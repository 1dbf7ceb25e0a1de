import { DirectionProvider, MantineProvider, useDirection } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import { Suspense, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { RouterProvider } from "react-router";
import { FullPageLoader } from "./components/full-page-loader";
import { meQueryKey } from "./features/auth/api/auth-api";
import { DirectionSync } from "./features/preferences/components/direction-sync";
import { createQueryClient } from "./lib/query-client";
import { createRouter } from "./router";
import { createAppTheme } from "./theme";

const LazyPageFallback = () => {
  const { t } = useTranslation();
  return <FullPageLoader label={t("common.loading")} />;
};

/** Toasts sit in the trailing bottom corner, which is the left one in right-to-left languages. */
const DirectionalNotifications = () => {
  const { dir } = useDirection();
  return <Notifications position={dir === "rtl" ? "bottom-left" : "bottom-right"} />;
};

export const App = () => {
  const { t } = useTranslation();
  const theme = useMemo(
    () => createAppTheme({ close: t("common.close"), togglePasswordVisibility: t("common.togglePasswordVisibility") }),
    [t],
  );
  // Any 401 `unauthorized` marks the session as gone; RequireSession then redirects to /login.
  const [queryClient] = useState(() =>
    createQueryClient((client) => {
      if (client.getQueryData(meQueryKey) !== null) client.setQueryData(meQueryKey, null);
    }),
  );
  const [router] = useState(createRouter);

  return (
    <DirectionProvider>
      <MantineProvider theme={theme} defaultColorScheme="auto">
        <DirectionSync />
        <DirectionalNotifications />
        <QueryClientProvider client={queryClient}>
          <Suspense fallback={<LazyPageFallback />}>
            <RouterProvider router={router} />
          </Suspense>
        </QueryClientProvider>
      </MantineProvider>
    </DirectionProvider>
  );
};
