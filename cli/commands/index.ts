import type { Command } from '../command.js';
import { caCrlCommand, caInitCommand, caShowCommand } from './ca.js';
import { certIssueCommand } from './cert.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';

/** Every sub-command, in the order `--help` lists them. */
export const commands: Command[] = [
  validateCommand,
  caInitCommand,
  caShowCommand,
  caCrlCommand,
  certIssueCommand,
  renderCommand,
];
