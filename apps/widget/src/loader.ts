import { boot } from "./loader/boot.ts";

boot(window);
