// The KDsl extension: starts `kdsl lsp` (the language server in src/Cli/Lsp) for .kdsl files, and runs the
// experiment or shows its disassembly through the server's commands, printing what they return in an output channel.
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, ExecuteCommandRequest } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    output = vscode.window.createOutputChannel('KDsl');
    context.subscriptions.push(output);
    context.subscriptions.push(
        vscode.commands.registerCommand('kdsl.runExperiment', (uri?: string, scenario?: string) =>
            runServerCommand('kdsl.server.run', 'Run', uri, scenario)),
        vscode.commands.registerCommand('kdsl.showDisassembly', (uri?: string) =>
            runServerCommand('kdsl.server.disasm', 'Disassembly of', uri)),
        vscode.commands.registerCommand('kdsl.restartServer', async () => {
            await client?.stop();
            await startClient(context);
        }),
    );
    await startClient(context);
}

export async function deactivate(): Promise<void> {
    await client?.stop();
}

/** `kdsl lsp` from the kdsl.serverPath setting (an executable, or a kdsl.dll run with dotnet), else kdsl on PATH. */
function serverOptions(): ServerOptions {
    const configured = vscode.workspace.getConfiguration('kdsl').get<string>('serverPath', '').trim();
    if (configured.toLowerCase().endsWith('.dll')) {
        return { command: 'dotnet', args: [configured, 'lsp'] };
    }
    return { command: configured.length > 0 ? configured : 'kdsl', args: ['lsp'] };
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', language: 'kdsl' }],
        outputChannel: output,
    };
    client = new LanguageClient('kdsl', 'KDsl language server', serverOptions(), clientOptions);
    try {
        await client.start();
    } catch (e) {
        vscode.window.showErrorMessage(
            `KDsl: could not start the language server (${e}). Install the kdsl tool or set kdsl.serverPath.`);
    }
    context.subscriptions.push(client);
}

/** Saves the file (a run reads it from disk), asks the server to run the command and shows its output. */
async function runServerCommand(command: string, what: string, uri?: string, scenario?: string): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    if (!client || !target) {
        return;
    }
    const document = vscode.workspace.textDocuments.find(d => d.uri.toString() === target);
    if (document?.isDirty) {
        await document.save();
    }
    const name = path.basename(vscode.Uri.parse(target).fsPath) + (scenario ? ` (scenario ${scenario})` : '');
    output.show(true);
    output.appendLine(`${what} ${name}...`);
    const args = scenario ? [target, scenario] : [target];
    const result = await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }) as
        { exitCode: number; output: string } | null;
    if (result) {
        output.append(result.output);
        output.appendLine(`[exit ${result.exitCode}]`);
    }
}
