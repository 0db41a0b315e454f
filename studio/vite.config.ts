/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the builder's API to a local stack (`make up`); another builder with
// AIRLOOM_STUDIO_DEV_BUILDER=http://host:port.
const builder = process.env.AIRLOOM_STUDIO_DEV_BUILDER ?? "http://127.0.0.1:8001";

export default defineConfig(({ command }) => ({
  // The builder serves the app under /studio/, behind any prefix a gateway adds: the build's
  // asset URLs are relative to the <base> the builder writes into index.html.
  base: command === "build" ? "./" : "/studio/",
  plugins: [react()],
  build: {
    outDir: "dist",
    sourcemap: false,
    rollupOptions: {
      output: {
        // React Flow in its own chunk: only the canvas route loads it.
        manualChunks: { reactflow: ["@xyflow/react"] },
      },
    },
  },
  server: {
    proxy: {
      "/graphql": { target: builder, ws: true, changeOrigin: true },
      "/auth": { target: builder, changeOrigin: true },
      "/studio/config.json": { target: builder, changeOrigin: true },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
}));
