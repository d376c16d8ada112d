import type { Command } from '../command.js';
import { validateCommand } from './validate.js';

/** Every sub-command, in the order `--help` lists them. */
export const commands: Command[] = [validateCommand];
